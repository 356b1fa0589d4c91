using System.Text.Json;
using Xunit.Abstractions;

namespace RnnCluster.Tests.PyTorch;

/// <summary>
/// `rnn-cluster train` of stateful models against tests/fixtures_generator/train_stateful_reference.py: 20 windows
/// as 3 streams of 6, 7 and 7, each stateful layer's state carried from a stream's window into its next (the last
/// minibatch holding two streams only), reset each epoch, a layer that is not stateful starting every window from
/// zero; the validation windows read the same way as streams of their own, from zero, after each epoch; 2 epochs of Adam from PyTorch's initial weights. In groups of one sample, several workers split every minibatch's streams.
/// </summary>
public class StatefulAgreementTests(ITestOutputHelper log)
{
    private const double Tolerance = 2e-5;

    [Theory]
    [InlineData("lstm", 1)]
    [InlineData("lstm", 3)]
    [InlineData("stacked", 1)]
    [InlineData("stacked", 2)]
    public void Stateful_training_matches_pytorch_carrying_each_streams_state(string model, int workers)
    {
        using var output = new TempFolder();
        var expected = FixtureTraining.TrainAndCompare(FixtureFolders.Stateful, model, workers, output, Tolerance, log);
        if (expected.Metadata.GetValueOrDefault("valLosses") is not { } validation) return;
        // Validation reads its own windows as streams, each from a zero state carried window to window.
        var expectedLosses = JsonSerializer.Deserialize<double[]>(validation)!;
        var logged = File.ReadAllLines(output.File("metrics.jsonl")).Where(line => line.Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("valLoss").GetDouble()).ToArray();
        Assert.Equal(expectedLosses.Length, logged.Length);
        for (int epoch = 0; epoch < logged.Length; epoch++)
            Assert.True(System.Math.Abs(logged[epoch] - expectedLosses[epoch]) <= Tolerance * System.Math.Max(1, expectedLosses[epoch]),
                $"epoch {epoch + 1}: valLoss {logged[epoch]}, PyTorch's {expectedLosses[epoch]}");
    }
}
