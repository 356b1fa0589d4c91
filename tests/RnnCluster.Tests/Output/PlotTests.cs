using RnnCluster.Coordinator.Plots;

namespace RnnCluster.Tests.Output;

public class PlotTests
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public void LossPlotIsAPngOfTheDeclaredSize()
    {
        using var folder = new TempFolder();
        var loss = Enumerable.Range(1, 30).Select(e => 1.0 / e).ToArray();
        var valLoss = loss.Select(l => l * 1.3).ToArray();

        LossPlot.Save(folder.File("loss.png"), loss, valLoss, "mse");

        var bytes = File.ReadAllBytes(folder.File("loss.png"));
        Assert.Equal(PngSignature, bytes[..8]);
        Assert.Equal((900, 500), PngSize(bytes));
    }

    [Fact]
    public void LossPlotDrawsLossesThatAreNotFiniteAsGaps()
    {
        using var folder = new TempFolder();
        double[] loss = [0.5, double.NaN, 0.25, 0.2];
        double[] valLoss = [0.6, double.PositiveInfinity, 0.3, double.NaN];

        LossPlot.Save(folder.File("loss.png"), loss, valLoss, "mse");

        Assert.Equal(PngSignature, File.ReadAllBytes(folder.File("loss.png"))[..8]);
    }

    [Fact]
    public void PredictionPlotIsAPng()
    {
        using var folder = new TempFolder();
        var predicted = Enumerable.Range(0, 50).Select(i => System.Math.Sin(i / 5.0)).ToArray();
        var actual = predicted.Select(p => (double?)(p + 0.1)).ToArray();

        PredictionPlot.Save(folder.File("prediction.png"), "passengers", predicted, actual);

        Assert.Equal(PngSignature, File.ReadAllBytes(folder.File("prediction.png"))[..8]);
    }

    /// <summary>Width and height from the IHDR chunk, which follows the signature and chunk header.</summary>
    private static (int Width, int Height) PngSize(byte[] png) =>
        (System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)),
         System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
}
