using System.Reflection;
using Xunit.Abstractions;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.PyTorch;

/// <summary>
/// `rnn-cluster train` against tests/fixtures_generator/train_reference.py: recurrent(8) -> dense(1) on 37
/// sequences, batches of 8 in dataset order (each epoch ends with a partial batch of 5), 2 epochs, Adam, MSE,
/// started from PyTorch's initial weights. The CLI runs in-process through the rnn-cluster assembly's entry point.
/// </summary>
public sealed class TrainAgreementTests(ITestOutputHelper log) : IDisposable
{
    private const double Tolerance = 2e-5;
    private const string NotYet = "rnn-cluster train is not implemented yet (src/Coordinator/Program.cs returns 0)";

    private readonly string _out = Path.Combine(Path.GetTempPath(), "rnn-train-agreement-" + Guid.NewGuid().ToString("N"));

    [Theory(Skip = NotYet)]
    [InlineData("rnn", 1)]
    [InlineData("lstm", 1)]
    [InlineData("gru", 1)]
    [InlineData("lstm", 3)]
    public void Trained_weights_match_pytorch_trained_on_the_same_minibatches(string cell, int workers)
    {
        int exitCode = RunCli(
            "train",
            "--config", Path.Combine(FixtureFolders.Training, cell + ".json"),
            "--init-weights", Path.Combine(FixtureFolders.Training, cell + ".init.safetensors"),
            "--out", _out,
            "--workers", workers.ToString());

        Assert.Equal(0, exitCode);
        var expected = SafeTensors.Read(Path.Combine(FixtureFolders.Training, cell + ".final.safetensors"));
        var trained = SafeTensors.Read(Path.Combine(_out, "model.safetensors"));
        Assert.Equal(expected.Tensors.Select(t => t.Name).Order(), trained.Tensors.Select(t => t.Name).Order());
        foreach (var tensor in expected.Tensors)
            Agreement.Within(Tolerance, $"{cell} --workers {workers} {tensor.Name}", tensor.Data.Span, trained.Get(tensor.Name).Data.Span, log);
    }

    private static int RunCli(params string[] args)
    {
        var entryPoint = Assembly.Load(new AssemblyName("rnn-cluster")).EntryPoint!;
        return (int)entryPoint.Invoke(null, [args])!;
    }

    public void Dispose()
    {
        if (Directory.Exists(_out)) Directory.Delete(_out, recursive: true);
    }
}
