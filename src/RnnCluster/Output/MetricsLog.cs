using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Rnn.Math;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Output;

/// <summary>
/// metrics.jsonl: one JSON object per finished epoch, the fields of <see cref="EpochMetrics"/> in camelCase and
/// each of its metrics under its name.
/// Each epoch appends its line with one write, flushed, so a reader tailing it sees whole lines and an epoch costs
/// the same however long the run (a log rewritten whole every epoch cost each epoch more the longer the run). The
/// first epoch of a new run replaces the file atomically. A resumed run starts the file again, atomically, from its checkpoint's history,
/// so each epoch has one line however often the run was stopped, and none that the checkpoint does not hold.
/// </summary>
public sealed class MetricsLog
{
    /// <summary>The log's name in the run folder.</summary>
    public const string FileName = "metrics.jsonl";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // A validation loss can overflow while training goes on (weights are never non-finite, outputs can be):
        // such a value is written as the string "NaN", "Infinity" or "-Infinity", which float() reads.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private readonly string path;
    private bool written;

    /// <summary>
    /// A log in <paramref name="folder"/> that goes on from <paramref name="history"/>: with a history the file is
    /// written now; without, the first epoch replaces whatever file was there (a run that fails before it leaves the
    /// previous run's log as it was).
    /// </summary>
    public MetricsLog(string folder, IReadOnlyList<EpochMetrics> history)
    {
        path = Path.Combine(folder, FileName);
        if (history.Count == 0) return;
        var lines = new StringBuilder();
        foreach (var metrics in history) lines.Append(LineText(metrics));
        AtomicFile.WriteAllText(path, lines.ToString());
        written = true;
    }

    /// <summary>Appends one epoch's line in a single write and flushes it, so the file always ends on a whole line.</summary>
    public void Append(EpochMetrics metrics)
    {
        if (!written)
        {
            AtomicFile.WriteAllText(path, LineText(metrics));
            written = true;
            return;
        }
        var line = Encoding.UTF8.GetBytes(LineText(metrics));
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, bufferSize: 0);
        file.Write(line);
    }

    private static string LineText(EpochMetrics metrics) => Line(metrics).ToJsonString(Json) + "\n";

    /// <summary>
    /// The epoch as one flat object, each metric under its own name, as Keras's history orders them: a training
    /// metric after `loss`, a validation one after `valLoss`.
    /// </summary>
    private static JsonObject Line(EpochMetrics metrics)
    {
        var fields = JsonSerializer.SerializeToNode(metrics with { Metrics = null }, Json)!.AsObject();
        var named = metrics.Metrics ?? new Dictionary<string, double>();
        var line = new JsonObject();
        foreach (var (name, value) in fields.ToList())
        {
            fields.Remove(name);
            line[name] = value;
            bool validation = name == "valLoss";
            if (name != "loss" && !validation) continue;
            foreach (var (metric, figure) in named.Where(m => m.Key.StartsWith("val", StringComparison.Ordinal) == validation))
                line[metric] = figure;
        }
        return line;
    }
}
