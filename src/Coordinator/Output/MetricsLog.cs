using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rnn.Math;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Output;

/// <summary>
/// metrics.jsonl: one JSON object per finished epoch, the fields of <see cref="EpochMetrics"/> in camelCase.
/// Each epoch rewrites the (small) file atomically, so a reader tailing it never sees a torn line.
/// </summary>
public sealed class MetricsLog
{
    public const string FileName = "metrics.jsonl";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string path;
    private readonly StringBuilder lines = new();

    /// <summary>A new log in <paramref name="folder"/>; its first epoch replaces whatever file was there.</summary>
    public MetricsLog(string folder) => path = Path.Combine(folder, FileName);

    public void Append(EpochMetrics metrics)
    {
        lines.Append(JsonSerializer.Serialize(metrics, Json)).Append('\n');
        AtomicFile.WriteAllText(path, lines.ToString());
    }
}
