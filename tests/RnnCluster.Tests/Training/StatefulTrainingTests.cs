using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;
using RnnCluster.Tests.Checkpoints;

namespace RnnCluster.Tests.Training;

/// <summary>
/// docs/stateful.md: the streams' states make a stateful run's result, and they are the same bits whoever computes
/// which stream, through a resume from any checkpoint (mid-epoch ones hold the states) and on any worker count.
/// </summary>
public class StatefulTrainingTests
{
    [Fact]
    public void Streams_cut_the_windows_into_runs_of_consecutive_windows_one_window_of_each_per_minibatch()
    {
        var streams = new StreamLayout(11, 3);
        Assert.Equal([0, 3, 7, 11], Enumerable.Range(0, 4).Select(streams.Start));
        Assert.Equal(4, streams.Windows);
        Assert.Equal([0, 3, 7, 1, 4, 8, 2, 5, 9, 6, 10], streams.Order());
        Assert.Equal([0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2], Enumerable.Range(0, 11).Select(streams.StreamOf));
    }

    [Fact(Timeout = 120_000)]
    public async Task A_stateful_run_is_the_same_bits_on_one_two_and_three_workers_and_differs_from_the_same_model_without_state()
    {
        var job = TestJobs.StatefulLstmGru();
        var one = await TrainingSession.RunLocalAsync(job, new LocalOptions(1), SessionOptions.Default, default);
        foreach (int workers in new[] { 2, 3 })
        {
            var many = await TrainingSession.RunLocalAsync(job, new LocalOptions(workers), SessionOptions.Default, default);
            Assert.Equal(one.Weights, many.Weights);
            Assert.Equal(one.Epochs.Select(e => (e.Loss, e.ValLoss)), many.Epochs.Select(e => (e.Loss, e.ValLoss)));
        }
        var stateless = await TrainingSession.RunLocalAsync(TestJobs.StatefulLstmGru(stateful: false), new LocalOptions(1), SessionOptions.Default, default);
        Assert.NotEqual(one.Weights, stateless.Weights);
        Assert.Equal(10 * (2 * 5 + 4), one.State.StreamStates.Length);
        Assert.All(one.State.StreamStates, value => Assert.Equal(0f, value));
    }

    [Fact(Timeout = 180_000)]
    public async Task A_resume_from_every_checkpoint_of_a_stateful_run_ends_on_its_weights_and_metrics()
    {
        using var temp = new TempFolder();
        var job = TestJobs.StatefulLstmGru();
        var layout = new Network(job.Model).Layout;
        var folder = new CheckpointFolder(temp.Path, keep: 100);
        var policy = new CheckpointPolicy(folder, RunFingerprint.Of(CheckpointFileTests.Config(job), job), EverySteps: 1);
        var whole = await TrainingSession.RunLocalAsync(job, new LocalOptions(2), new SessionOptions(Checkpoints: policy), default);

        var checkpoints = folder.Files().Select(CheckpointFile.Read).ToList();
        // 4 minibatches an epoch (37 windows as 10 streams of 3 or 4), two epoch ends.
        Assert.Equal(10, checkpoints.Count);
        var midEpoch = checkpoints.Select(c => c.State(layout, job.StreamStateLength)).Where(s => s.Minibatch is > 0 and < 4).ToList();
        Assert.NotEmpty(midEpoch);
        Assert.All(midEpoch, state => Assert.Contains(state.StreamStates, value => value != 0f));
        foreach (var checkpoint in checkpoints)
        {
            var resumed = await TrainingSession.RunLocalAsync(job, new LocalOptions(3),
                new SessionOptions(Start: checkpoint.State(layout, job.StreamStateLength)), default);
            Assert.Equal(whole.Weights, resumed.Weights);
            Assert.Equal(whole.Epochs.Select(e => (e.Epoch, e.Loss, e.ValLoss)), resumed.Epochs.Select(e => (e.Epoch, e.Loss, e.ValLoss)));
        }
    }
}
