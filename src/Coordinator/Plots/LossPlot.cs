using ScottPlot;

namespace RnnCluster.Coordinator.Plots;

/// <summary>loss.png: training and validation loss by epoch, on a log scale when the losses span decades.</summary>
internal static class LossPlot
{
    public static void Save(string path, IReadOnlyList<double> loss, IReadOnlyList<double>? valLoss, string lossName)
    {
        var plot = new Plot();
        var epochs = Enumerable.Range(1, loss.Count).Select(e => (double)e).ToArray();
        var all = valLoss is null ? loss : [.. loss, .. valLoss];
        // Log ticks sit on powers of ten: within one decade a log axis would have no labels at all.
        var logScale = all.All(v => v > 0 && double.IsFinite(v)) && all.Max() >= 10 * all.Min();

        var training = plot.Add.Scatter(epochs, Scale(loss, logScale));
        training.LegendText = "training";
        training.MarkerSize = loss.Count > 60 ? 0 : 4;
        training.LineWidth = 2;
        if (valLoss is not null)
        {
            var validation = plot.Add.Scatter(epochs[..valLoss.Count], Scale(valLoss, logScale));
            validation.LegendText = "validation";
            validation.MarkerSize = training.MarkerSize;
            validation.LineWidth = 2;
        }

        if (logScale)
        {
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
            {
                MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
                IntegerTicksOnly = true,
                LabelFormatter = y => $"{System.Math.Pow(10, y):G3}",
            };
        }
        plot.Title("Loss by epoch");
        plot.XLabel("epoch");
        plot.YLabel(logScale ? $"{lossName} loss (log scale)" : $"{lossName} loss");
        plot.ShowLegend(Alignment.UpperRight);
        PlotFile.Save(plot, path);
    }

    /// <summary>A loss that is not finite is a gap in its line (NaN); an infinity would stretch the axis without end.</summary>
    private static double[] Scale(IReadOnlyList<double> values, bool log) =>
        values.Select(v => !double.IsFinite(v) ? double.NaN : log ? System.Math.Log10(v) : v).ToArray();
}
