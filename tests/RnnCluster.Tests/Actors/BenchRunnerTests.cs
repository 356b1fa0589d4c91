using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Model;
using RnnCluster.Coordinator.Bench;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Actors;

public class BenchRunnerTests
{
    private static readonly double MemoryEstimateBytes = Rnn.Math.Model.MemoryEstimate.MachineBytes;

    private static readonly RunConfig Config = new(
        new ModelConfig(3, [new GruConfig(8), new DenseConfig(4, Activation: Activation.Softmax)]),
        new DataConfig(DataSource.Synthetic, Timesteps: 5),
        new TrainingConfig(BatchSize: 6, Loss: LossKind.CrossEntropy));

    [Fact(Timeout = 120_000)]
    public async Task It_times_the_requested_steps_after_a_warm_up_step_on_the_requested_shape()
    {
        var result = await BenchRunner.RunLocalAsync(Config, new BenchOptions(Steps: 3, Timesteps: 7, Workers: 2));
        Assert.Equal((3, 7, 6, 2), (result.Steps, result.Timesteps, result.BatchSize, result.Workers));
        Assert.Equal(new Network(Config.Model).ParameterCount, result.Parameters);
        Assert.Equal(result.BatchSize * 1000.0 / result.MsPerStep, result.SeqPerSec, 9);
        // This process's peak: the test host's runtime alone holds tens of megabytes.
        Assert.InRange(result.PeakRssMb, 10, MemoryEstimateBytes / 1e6);
    }

    [Fact(Timeout = 120_000)]
    public async Task Mapped_it_times_the_same_steps_from_a_temporary_file_it_removes()
    {
        string[] Files() => Directory.GetFiles(Path.GetTempPath(), "rnn-bench-*.safetensors");
        var before = Files();
        var result = await BenchRunner.RunLocalAsync(Config, new BenchOptions(Steps: 3, Timesteps: 7, Workers: 2, Mapped: true));
        Assert.Equal((3, 7, 6, 2), (result.Steps, result.Timesteps, result.BatchSize, result.Workers));
        Assert.Equal(before, Files());
    }

    [Fact]
    public async Task A_non_positive_step_count_is_the_users_error()
    {
        var error = await Assert.ThrowsAsync<InputException>(() => BenchRunner.RunLocalAsync(Config, new BenchOptions(Steps: 0)));
        Assert.StartsWith("--steps", error.Message);
    }
}
