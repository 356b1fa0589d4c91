using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using RnnCluster.Coordinator.Progress;

namespace RnnCluster.Coordinator.Output;

/// <summary>
/// metrics.jsonl: one JSON object per finished epoch. Each epoch rewrites the (small) file atomically, so a
/// reader tailing it never sees a torn line. A resumed run keeps the lines of the epochs it does not redo.
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
                if (JsonSerializer.Deserialize<EpochMetrics>(line, Json) is { } kept && kept.Epoch <= keepThroughEpoch)
                    log.lines.Append(line).Append('\n');
        return log;
    }

    public void Append(EpochReport report)
    {
        var entry = new EpochMetrics(report.Epoch, report.Loss, report.ValLoss, report.SeqPerSec, report.Workers, report.ElapsedSec);
        lines.Append(JsonSerializer.Serialize(entry, Json)).Append('\n');
        AtomicFile.WriteAllText(path, lines.ToString());
    }

    /// <summary>The line's fields, as CONTRACT.md names them.</summary>
    private sealed record EpochMetrics(int Epoch, double Loss, double? ValLoss, double SeqPerSec, int Workers, double ElapsedSec);
}
