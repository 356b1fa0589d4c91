using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;

namespace RnnCluster.Tests.Training;

/// <summary>
/// docs/stateful.md: the streams' states make a stateful run's result, and they are the same bits whoever computes
/// which stream, on any worker count (a resume from any checkpoint: ResumeDeterminismTests).
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
    public async Task A_stateful_run_is_the_same_bits_on_one_to_three_workers_or_threads_and_differs_from_the_same_model_without_state()
    {
        var job = TestJobs.StatefulLstmGru();
        var one = await TrainingSession.RunLocalAsync(job, new LocalOptions(1), SessionOptions.Default, default);
        // A worker's threads split its shard too: each thread's samples start from their own rows of the states.
        foreach (var options in new[] { new LocalOptions(2), new LocalOptions(3), new LocalOptions(1, ThreadsPerWorker: 3) })
        {
            var many = await TrainingSession.RunLocalAsync(job, options, SessionOptions.Default, default);
            Assert.Equal(one.Weights, many.Weights);
            Assert.Equal(one.Epochs.Select(e => (e.Loss, e.ValLoss)), many.Epochs.Select(e => (e.Loss, e.ValLoss)));
        }
        var stateless = await TrainingSession.RunLocalAsync(TestJobs.StatefulLstmGru(stateful: false), new LocalOptions(1), SessionOptions.Default, default);
        Assert.NotEqual(one.Weights, stateless.Weights);
        Assert.Equal(10 * (2 * 5 + 4), one.State.StreamStates.Length);
        Assert.All(one.State.StreamStates, value => Assert.Equal(0f, value));
    }
}
