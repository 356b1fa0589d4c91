using Rnn.Math;
using ScottPlot;

namespace RnnCluster.Coordinator.Plots;

/// <summary>
/// Renders a plot in the image format its file name asks for and writes it atomically, like every file the
/// program writes. A name whose format is not one of <see cref="Formats"/> is refused before anything runs.
/// </summary>
internal static class PlotFile
{
    private const int Width = 900;
    private const int Height = 500;

    private static readonly Dictionary<string, ImageFormat> Formats = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = ImageFormat.Png,
        [".jpg"] = ImageFormat.Jpeg,
        [".jpeg"] = ImageFormat.Jpeg,
        [".bmp"] = ImageFormat.Bmp,
        [".webp"] = ImageFormat.Webp,
    };

    /// <summary>Throws <see cref="InputException"/> naming <paramref name="flag"/> when the file's extension is no image format.</summary>
    public static void Check(string path, string flag)
    {
        if (!Formats.ContainsKey(Path.GetExtension(path)))
            throw new InputException($"{flag}: '{Path.GetFileName(path)}' is not an image file name; expected one ending in {string.Join(", ", Formats.Keys)}");
    }

    public static void Save(ScottPlot.Plot plot, string path) =>
        AtomicFile.WriteAllBytes(path, plot.GetImageBytes(Width, Height, Formats[Path.GetExtension(path)]));
}
