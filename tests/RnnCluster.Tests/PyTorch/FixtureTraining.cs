using Rnn.Math.Weights;
using RnnCluster.Tests.Cli;
using Xunit.Abstractions;

namespace RnnCluster.Tests.PyTorch;

/// <summary>A fixture generator's training run repeated by `rnn-cluster train` (in-process) and held to PyTorch's weights.</summary>
internal static class FixtureTraining
{
    /// <summary>
    /// Trains <c>name.json</c> of <paramref name="folder"/> from <c>name.init.safetensors</c> on
    /// <paramref name="workers"/> local workers into <paramref name="output"/>, and holds every tensor of its
    /// model.safetensors to <c>name.final.safetensors</c> within <paramref name="tolerance"/>; returns that file.
    /// </summary>
    public static SafeTensorsFile TrainAndCompare(string folder, string name, int workers, TempFolder output, double tolerance, ITestOutputHelper log)
    {
        var run = CliRun.Of(
            "train",
            "--config", Path.Combine(folder, name + ".json"),
            "--init-weights", Path.Combine(folder, name + ".init.safetensors"),
            "--out", output.Path,
            "--workers", workers.ToString());

        Assert.True(run.ExitCode == 0, $"rnn-cluster train exited {run.ExitCode}: {run.Stderr}");
        var expected = SafeTensors.Read(Path.Combine(folder, name + ".final.safetensors"));
        var trained = SafeTensors.Read(output.File("model.safetensors"));
        Assert.Equal(expected.Tensors.Select(t => t.Name).Order(), trained.Tensors.Select(t => t.Name).Order());
        foreach (var tensor in expected.Tensors)
            Agreement.Within(tolerance, $"{name} --workers {workers} {tensor.Name}", tensor.Data.Span, trained.Get(tensor.Name).Data.Span, log);
        return expected;
    }
}
