using System.Globalization;
using System.Text;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Progress;

/// <summary>The one-line form of an epoch, as Keras prints it: <c>epoch 3/100  loss 0.01234  val_loss ...</c>.</summary>
internal static class EpochLine
{
    public static string Format(EpochMetrics metrics, int epochs)
    {
        var width = epochs.ToString(CultureInfo.InvariantCulture).Length;
        var line = new StringBuilder();
        line.Append("epoch ").Append(metrics.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width)).Append('/').Append(epochs);
        line.Append("  ").Append(Scores(metrics));
        line.Append("  ").Append(Workers(metrics.Workers));
        line.Append(CultureInfo.InvariantCulture, $"  {metrics.ElapsedSec:0.0}s");
        return line.ToString();
    }

    /// <summary>
    /// <c>loss 0.01234  accuracy 0.9125  val_loss 0.02345  val_accuracy 0.8875  1234 seq/s</c>: what changes from
    /// epoch to epoch, metrics in Keras's order and spelling.
    /// </summary>
    public static string Scores(EpochMetrics metrics)
        => Figures(metrics.Loss, metrics.ValLoss, metrics.Metrics) + (metrics.LearningRate is { } rate ? $"  lr {Loss(rate)}" : "") +
            string.Create(CultureInfo.InvariantCulture, $"  {metrics.SeqPerSec:0} seq/s");

    /// <summary><c>loss 0.01234  accuracy 0.9125  val_loss 0.02345  val_accuracy 0.8875</c>.</summary>
    public static string Figures(double loss, double? valLoss, IReadOnlyDictionary<string, double>? metrics)
    {
        var named = metrics ?? new Dictionary<string, double>();
        string Listed(bool validation) => string.Concat(named
            .Where(m => m.Key.StartsWith("val", StringComparison.Ordinal) == validation)
            .Select(m => $"  {KerasName(m.Key)} {Loss(m.Value)}"));
        return $"loss {Loss(loss)}{Listed(false)}" + (valLoss is { } v ? $"  val_loss {Loss(v)}{Listed(true)}" : "");
    }

    /// <summary>`valAccuracy` as Keras prints it: `val_accuracy`.</summary>
    private static string KerasName(string name)
        => name.StartsWith("val", StringComparison.Ordinal) ? "val_" + name[3..].ToLowerInvariant() : name;

    public static string Workers(int count) => $"{count} worker{(count == 1 ? "" : "s")}";

    /// <summary>Five significant digits whatever the scale, so small losses late in training stay readable.</summary>
    public static string Loss(double value) => value.ToString("G5", CultureInfo.InvariantCulture);
}
