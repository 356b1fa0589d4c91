using Akka.Configuration;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Tests.Actors;

public class LocalTrainingTests
{
    [Fact(Timeout = 120_000)]
    public async Task One_worker_matches_a_plain_sequential_training_loop_bitwise()
    {
        var job = TestJobs.StackedLstmGru();
        var result = await TrainingSession.RunLocalAsync(job, workers: 1);
        Assert.Equal(SequentialTrainer.Train(job), result.Weights);
    }

    [Theory(Timeout = 120_000)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Weights_are_bit_identical_to_one_worker_for(int workers)
    {
        var job = TestJobs.StackedLstmGru();
        var one = await TrainingSession.RunLocalAsync(job, workers: 1);
        var many = await TrainingSession.RunLocalAsync(job, workers);
        Assert.Equal(one.Weights, many.Weights);
        Assert.Equal(one.Epochs.Select(e => e.Loss), many.Epochs.Select(e => e.Loss));
        Assert.Equal(one.Epochs.Select(e => e.ValLoss), many.Epochs.Select(e => e.ValLoss));
    }

    [Fact(Timeout = 120_000)]
    public async Task Threads_inside_a_worker_do_not_change_the_weights()
    {
        var job = TestJobs.StackedLstmGru();
        var one = await TrainingSession.RunLocalAsync(job, workers: 1);
        var threaded = await TrainingSession.RunLocalAsync(job, new LocalOptions(2, ThreadsPerWorker: 3), SessionOptions.Default, default);
        Assert.Equal(one.Weights, threaded.Weights);
    }

    [Fact(Timeout = 120_000)]
    public async Task A_run_with_every_message_serialized_gives_the_same_weights()
    {
        var job = TestJobs.StackedLstmGru(epochs: 1);
        var plain = await TrainingSession.RunLocalAsync(job, workers: 3);
        var serialized = await TrainingSession.RunLocalAsync(job,
            new LocalOptions(3) { Extra = ConfigurationFactory.ParseString("akka.actor.serialize-messages = on") }, SessionOptions.Default, default);
        Assert.Equal(plain.Weights, serialized.Weights);
    }

    [Fact(Timeout = 120_000)]
    public async Task Every_epoch_reports_its_metrics_in_order()
    {
        var job = TestJobs.StackedLstmGru(epochs: 3);
        var reported = new List<EpochMetrics>();
        var result = await TrainingSession.RunLocalAsync(job, 2, new SynchronousProgress<EpochMetrics>(reported.Add));
        Assert.Equal([1, 2, 3], reported.Select(m => m.Epoch));
        Assert.All(reported, m =>
        {
            Assert.True(double.IsFinite(m.Loss) && m.Loss > 0);
            Assert.True(m.ValLoss is > 0);
            Assert.Equal(2, m.Workers);
        });
        Assert.Equal(reported, result.Epochs);
    }

    [Fact(Timeout = 120_000)]
    public async Task The_epoch_loss_is_the_sample_weighted_mean_of_the_minibatch_losses()
    {
        var job = TestJobs.StackedLstmGru(epochs: 1);
        var result = await TrainingSession.RunLocalAsync(job, workers: 2);
        Assert.Equal(SequentialTrainer.FirstEpochLoss(job), result.Epochs[0].Loss, 12);
    }

    [Fact(Timeout = 120_000)]
    public async Task Every_step_reports_its_place_in_the_epoch()
    {
        var job = TestJobs.StackedLstmGru(epochs: 2);
        var steps = new List<StepProgress>();
        await TrainingSession.RunLocalAsync(job, 2, new EpochAndStepProgress(steps.Add));
        Assert.Equal([(1, 1), (1, 2), (1, 3), (1, 4), (2, 1), (2, 2), (2, 3), (2, 4)], steps.Select(s => (s.Epoch, s.Minibatch)));
        Assert.All(steps, s => Assert.Equal(4, s.Minibatches));
    }

    private sealed class EpochAndStepProgress(Action<StepProgress> step) : IProgress<EpochMetrics>, IProgress<StepProgress>
    {
        public void Report(EpochMetrics value) { }

        public void Report(StepProgress value) => step(value);
    }

    private sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
