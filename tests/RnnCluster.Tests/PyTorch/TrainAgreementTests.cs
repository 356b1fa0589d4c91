using Xunit.Abstractions;

namespace RnnCluster.Tests.PyTorch;

/// <summary>
/// `rnn-cluster train` against tests/fixtures_generator/train_reference.py: recurrent(8) -> dense(1) on 37
/// sequences, batches of 8 in dataset order (each epoch ends with a partial batch of 5), 2 epochs, Adam, MSE,
/// started from PyTorch's initial weights through --init-weights. The CLI runs in-process.
/// </summary>
public class TrainAgreementTests(ITestOutputHelper log)
{
    private const double Tolerance = 2e-5;

    [Theory]
    [InlineData("rnn", 1)]
    [InlineData("lstm", 1)]
    [InlineData("gru", 1)]
    [InlineData("lstm", 3)]
    public void Trained_weights_match_pytorch_trained_on_the_same_minibatches(string cell, int workers)
    {
        using var output = new TempFolder();
        FixtureTraining.TrainAndCompare(FixtureFolders.Training, cell, workers, output, Tolerance, log);
    }
}
