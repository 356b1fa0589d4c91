using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Output;

/// <summary>
/// metrics.jsonl: one JSON object per finished epoch, the fields of <see cref="EpochMetrics"/> in camelCase.
/// Each epoch rewrites the (small) file atomically, so a reader tailing it never sees a torn line.
/// A resumed run keeps the lines of the epochs it does not redo.
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

    private MetricsLog(string path) => this.path = path;

    /// <summary>A log that starts after epoch <paramref name="keepThroughEpoch"/> of whatever the folder holds.</summary>
    public static MetricsLog Open(string folder, int keepThroughEpoch)
    {
        var log = new MetricsLog(Path.Combine(folder, FileName));
        if (keepThroughEpoch > 0 && File.Exists(log.path))
            foreach (var line in File.ReadLines(log.path))
                if (JsonSerializer.Deserialize<EpochNumber>(line, Json) is { } kept && kept.Epoch <= keepThroughEpoch)
                    log.lines.Append(line).Append('\n');
        return log;
    }

    public void Append(EpochMetrics metrics)
    {
        lines.Append(JsonSerializer.Serialize(metrics, Json)).Append('\n');
        AtomicFile.WriteAllText(path, lines.ToString());
    }

    /// <summary>The one field of a line that resuming needs.</summary>
    private sealed record EpochNumber(int Epoch);
}
