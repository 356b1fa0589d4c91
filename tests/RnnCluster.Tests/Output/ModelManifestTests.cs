using System.Text.Json.Nodes;
using RnnCluster.Coordinator.Output;

namespace RnnCluster.Tests.Output;

public class ModelManifestTests
{
    [Fact]
    public void A_summary_whose_losses_are_not_finite_is_written_and_read_back()
    {
        using var folder = new TempFolder();
        var config = (JsonObject)JsonNode.Parse("""{ "model": { "inputSize": 1, "layers": [ { "type": "dense", "units": 1 } ] } }""")!;
        new ModelManifest(config, null, null, 0, 0, null, new TrainingSummary(2, double.NaN, double.NegativeInfinity, 1.5, 1, 2)).Save(folder.Path);

        var training = ModelManifest.Load(folder.Path).Training;

        Assert.True(double.IsNaN(training.Loss));
        Assert.Equal(double.NegativeInfinity, training.ValLoss);
        Assert.Contains("\"valLoss\": \"-Infinity\"", File.ReadAllText(folder.File(ModelManifest.FileName)));
    }
}
