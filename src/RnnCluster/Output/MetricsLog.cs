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
/// Each epoch rewrites the (small) file atomically, so a reader tailing it never sees a torn line. A resumed
/// run starts the file again from its checkpoint's history, so each epoch has one line however often the run
/// was stopped, and none that the checkpoint does not hold.
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
    private readonly StringBuilder lines = new();

    /// <summary>
    /// A log in <paramref name="folder"/> that goes on from <paramref name="history"/>: with a history the file is
    /// written now; without, the first epoch replaces whatever file was there.
    /// </summary>
    public MetricsLog(string folder, IReadOnlyList<EpochMetrics> history)
    {
        path = Path.Combine(folder, FileName);
        foreach (var metrics in history) AddLine(metrics);
        if (history.Count > 0) AtomicFile.WriteAllText(path, lines.ToString());
    }

    /// <summary>Adds one epoch's line and flushes it, so the file always ends on a whole line.</summary>
    public void Append(EpochMetrics metrics)
    {
        AddLine(metrics);
        AtomicFile.WriteAllText(path, lines.ToString());
    }

    private void AddLine(EpochMetrics metrics) => lines.Append(Line(metrics).ToJsonString(Json)).Append('\n');

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
