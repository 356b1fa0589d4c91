using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;

namespace RnnCluster.Tests.Checkpoints;

/// <summary>A checkpoint file holds a whole <see cref="TrainingState"/>, and a damaged one is refused however it was damaged.</summary>
public class CheckpointFileTests
{
    [Fact]
    public void A_checkpoint_reads_back_the_exact_state_it_was_written_from()
    {
        using var folder = new TempFolder();
        var (layout, state, fingerprint) = Sample();
        var path = folder.File("c.safetensors");

        CheckpointFile.Write(path, layout, state, fingerprint);
        var read = CheckpointFile.Read(path);
        var restored = read.State(layout);

        Assert.Equal(state.Weights, restored.Weights);
        Assert.Equal(state.Optimizer.First, restored.Optimizer.First);
        Assert.Equal(state.Optimizer.Second, restored.Optimizer.Second);
        Assert.Equal((state.Epoch, state.Minibatch, state.Step, state.Optimizer.Steps), (restored.Epoch, restored.Minibatch, restored.Step, restored.Optimizer.Steps));
        Assert.Equal(state.Tally.Sums, restored.Tally.Sums);
        Assert.Equal(state.Tally.Workers, restored.Tally.Workers);
        Assert.Equal(state.History, restored.History);
        Assert.Equal(state.TrainingSeconds, restored.TrainingSeconds);
        Assert.Equal(fingerprint, read.Fingerprint);
    }

    [Fact]
    public void Its_weights_carry_the_model_file_names_so_pytorch_can_load_them()
    {
        using var folder = new TempFolder();
        var (layout, state, fingerprint) = Sample();
        var path = folder.File("c.safetensors");

        CheckpointFile.Write(path, layout, state, fingerprint);

        var names = Rnn.Math.Weights.SafeTensors.Read(path).Tensors.Select(t => t.Name).ToList();
        Assert.Equal([.. layout.Slots.Select(s => s.Name), "optimizer.first", "optimizer.second"], names);
    }

    [Fact]
    public void A_truncated_checkpoint_is_refused()
    {
        using var folder = new TempFolder();
        var path = Written(folder);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);

        var error = Assert.Throws<InputException>(() => CheckpointFile.Read(path));
        Assert.Contains("c.safetensors", error.Message);
    }

    [Fact]
    public void One_changed_byte_in_the_weights_is_caught_by_the_checksum()
    {
        using var folder = new TempFolder();
        var path = Written(folder);
        var bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InputException>(() => CheckpointFile.Read(path));
        Assert.Contains("checksum", error.Message);
    }

    [Fact]
    public void A_weights_file_that_is_not_a_checkpoint_is_refused()
    {
        using var folder = new TempFolder();
        var (layout, state, _) = Sample();
        var path = folder.File("model.safetensors");
        Rnn.Math.Weights.SafeTensors.Write(path, [new("layers.0.weight", [2], state.Weights.AsMemory(0, 2))]);

        Assert.Contains("not a checkpoint", Assert.Throws<InputException>(() => CheckpointFile.Read(path)).Message);
    }

    private static string Written(TempFolder folder)
    {
        var (layout, state, fingerprint) = Sample();
        var path = folder.File("c.safetensors");
        CheckpointFile.Write(path, layout, state, fingerprint);
        return path;
    }

    /// <summary>A state mid-epoch, after two steps of Adam, with a history whose loss diverged (NaN must survive JSON).</summary>
    internal static (ParameterLayout Layout, TrainingState State, RunFingerprint Fingerprint) Sample()
    {
        var job = TestJobs.StackedLstmGru();
        var layout = new Network(job.Model).Layout;
        var random = new Random(5);
        float[] Random() => Enumerable.Range(0, layout.Count).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var history = new List<EpochMetrics> { new(1, double.NaN, 0.25, 1234.5, 2, 1.5, 10.25, 0.5) };
        var state = new TrainingState(1, 2, 6, Random(), new OptimizerState(6, Random(), Random()),
            new EpochTally(new LossSums(0.1 + 0.2, 7, 1e-300, 0.3), 123.4, 2, 5.5, ["akka://rnn-cluster/user/worker-1", "akka://rnn-cluster/user/worker-2"]), history, 3.25);
        return (layout, state, RunFingerprint.Of(Config(job), job));
    }

    internal static RunConfig Config(TrainingJob job) =>
        new(job.Model, new DataConfig(DataSource.Synthetic, Samples: job.Train.Samples, Timesteps: job.Train.Timesteps), job.Training);
}
