using System.Globalization;
using System.Text;

namespace RnnCluster.Coordinator.Progress;

/// <summary>The one-line form of an epoch, as Keras prints it: <c>epoch 3/100  loss 0.01234  val_loss ...</c>.</summary>
internal static class EpochLine
{
    public static string Format(EpochReport report)
    {
        var line = new StringBuilder();
        var width = report.Epochs.ToString(CultureInfo.InvariantCulture).Length;
        line.Append(CultureInfo.InvariantCulture, $"epoch {report.Epoch.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{report.Epochs}");
        line.Append(CultureInfo.InvariantCulture, $"  loss {Loss(report.Loss)}");
        if (report.ValLoss is { } valLoss) line.Append(CultureInfo.InvariantCulture, $"  val_loss {Loss(valLoss)}");
        line.Append(CultureInfo.InvariantCulture, $"  {report.SeqPerSec:0} seq/s");
        line.Append(CultureInfo.InvariantCulture, $"  {report.Workers} worker{(report.Workers == 1 ? "" : "s")}");
        line.Append(CultureInfo.InvariantCulture, $"  {report.ElapsedSec:0.0}s");
        return line.ToString();
    }

    /// <summary>Five significant digits whatever the scale, so small losses late in training stay readable.</summary>
    public static string Loss(double value) => value.ToString("G5", CultureInfo.InvariantCulture);
}
