using Rnn.Math;
using ScottPlot;

namespace RnnCluster.Coordinator.Plots;

/// <summary>Renders a plot to PNG and writes it atomically, like every file the program writes.</summary>
internal static class PlotFile
{
    private const int Width = 900;
    private const int Height = 500;

    public static void Save(ScottPlot.Plot plot, string path) =>
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Width, Height, ImageFormat.Png));
}
