using Rnn.Math.Model;
using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;

namespace RnnCluster.Tests.Checkpoints;

/// <summary>
/// docs/determinism.md: a run stopped and resumed at every kind of boundary (mid-epoch, end of epoch, between the
/// last step and validation) ends on the same bits as the run that was never stopped, on another worker count.
/// </summary>
public class ResumeDeterminismTests
{
    [Fact(Timeout = 120_000)]
    public async Task A_resume_from_every_checkpoint_of_a_run_ends_on_its_weights_and_metrics()
    {
        var checkpoints = await ResumedFromEveryCheckpoint(TestJobs.StackedLstmGru(epochs: 2));
        Assert.Contains(checkpoints, c => c.Minibatch == 4);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_resume_from_every_checkpoint_of_a_stateful_run_ends_on_its_weights_and_metrics()
    {
        var checkpoints = await ResumedFromEveryCheckpoint(TestJobs.StatefulLstmGru(epochs: 2));
        // docs/stateful.md: a checkpoint inside an epoch holds the streams' states, which a resume goes on from.
        var midEpoch = checkpoints.Where(s => s.Minibatch is > 0 and < 4).ToList();
        Assert.NotEmpty(midEpoch);
        Assert.All(midEpoch, state => Assert.Contains(state.StreamStates, value => value != 0f));
    }

    /// <summary>
    /// Trains <paramref name="job"/> (4 minibatches an epoch) on 2 workers with a checkpoint after every step, resumes
    /// from each on 3 workers and holds the result to the whole run's; returns the checkpoints' states.
    /// </summary>
    private static async Task<List<TrainingState>> ResumedFromEveryCheckpoint(TrainingJob job)
    {
        using var temp = new TempFolder();
        var layout = new Network(job.Model).Layout;
        var folder = new CheckpointFolder(temp.Path, keep: 100);
        var policy = new CheckpointPolicy(folder, RunFingerprint.Of(CheckpointFileTests.Config(job), job), EverySteps: 1);
        var whole = await TrainingSession.RunLocalAsync(job, new LocalOptions(2), new SessionOptions(Checkpoints: policy), default);

        var checkpoints = folder.Files().Select(CheckpointFile.Read).Select(c => c.State(layout, job.StreamStateLength)).ToList();
        // Steps 1 to 8, and the two epoch ends; the last step of an epoch is checkpointed before its validation.
        Assert.Equal(10, checkpoints.Count);
        foreach (var checkpoint in checkpoints)
        {
            var resumed = await TrainingSession.RunLocalAsync(job, new LocalOptions(3), new SessionOptions(Start: checkpoint), default);
            Assert.Equal(whole.Weights, resumed.Weights);
            Assert.Equal(whole.Epochs.Select(e => (e.Epoch, e.Loss, e.ValLoss)), resumed.Epochs.Select(e => (e.Epoch, e.Loss, e.ValLoss)));
        }
        return checkpoints;
    }
}
