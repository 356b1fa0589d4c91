using ScottPlot;

namespace RnnCluster.Coordinator.Plots;

/// <summary>predict --plot: the model's prediction against the actual target, window by window.</summary>
internal static class PredictionPlot
{
    public static void Save(string path, string target, IReadOnlyList<double> predicted, IReadOnlyList<double?> actual)
    {
        var plot = new Plot();
        var positions = Enumerable.Range(0, predicted.Count).Select(i => (double)i).ToArray();

        var known = Enumerable.Range(0, actual.Count).Where(i => actual[i] is not null).ToArray();
        if (known.Length > 0)
        {
            var actualLine = plot.Add.Scatter(known.Select(i => (double)i).ToArray(), known.Select(i => actual[i]!.Value).ToArray());
            actualLine.LegendText = "actual";
            actualLine.LineWidth = 2;
            actualLine.MarkerSize = 0;
        }
        var predictedLine = plot.Add.Scatter(positions, predicted.ToArray());
        predictedLine.LegendText = "prediction";
        predictedLine.LineWidth = 2;
        predictedLine.MarkerSize = 0;
        predictedLine.LinePattern = LinePattern.Dashed;

        plot.Title($"Prediction vs actual: {target}");
        plot.XLabel("window (row of the output CSV)");
        plot.YLabel(target);
        plot.ShowLegend(Alignment.UpperLeft);
        PlotFile.Save(plot, path);
    }
}
