using System.Text.Json;
using RnnCluster.Tests.Cli;
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

    /// <summary>
    /// The trained model scores and predicts a file of windows as training read its validation data: as streams, each
    /// from zero, carrying its state window to window. evaluate gives the last epoch's valLoss, predict PyTorch's outputs.
    /// </summary>
    [Fact]
    public void Evaluate_and_predict_read_a_file_of_windows_as_streams_carrying_their_state()
    {
        using var output = new TempFolder();
        var expected = FixtureTraining.TrainAndCompare(FixtureFolders.Stateful, "lstm", 1, output, Tolerance, log);
        string validation = Path.Combine(FixtureFolders.Stateful, "validation.safetensors");

        var evaluated = CliRun.Of("evaluate", "--model", output.Path, "--input", validation, "--json");
        Assert.True(evaluated.ExitCode == 0, evaluated.Stderr);
        double loss = JsonDocument.Parse(evaluated.Stdout).RootElement.GetProperty("loss").GetDouble();
        double pytorch = JsonSerializer.Deserialize<double[]>(expected.Metadata["valLosses"])![^1];
        Assert.True(System.Math.Abs(loss - pytorch) <= Tolerance, $"evaluate's loss {loss}, PyTorch's last valLoss {pytorch}");

        var predicted = CliRun.Of("predict", "--model", output.Path, "--input", validation, "--output", output.File("y.safetensors"), "--quiet");
        Assert.True(predicted.ExitCode == 0, predicted.Stderr);
        var outputs = Rnn.Math.Weights.SafeTensors.Read(output.File("y.safetensors")).Require("y", 8, 1);
        Agreement.Within(Tolerance, "lstm predict validation.safetensors", [.. JsonSerializer.Deserialize<float[]>(expected.Metadata["valPredictions"])!],
            outputs.Span, log);
    }
}
