using System.Text.Json;
using RnnCluster.Coordinator.Dashboard;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Tests.Dashboard;

public class DashboardStateTests
{
    private static readonly JsonElement Config = JsonDocument.Parse("""{"training":{"epochs":2}}""").RootElement;

    private static readonly RunDescribed Run = new(RunDescribed.Local, "/runs/x", Epochs: 2, TrainSamples: 10, BatchSize: 4, Config, Earlier: []);

    private static StepTaken Step(int epoch, int minibatch, double loss) => new(new StepProgress(epoch, minibatch, 3, loss, 2));

    [Fact]
    public void AFreshStreamGetsEverythingThenOnlyWhatWasAdded()
    {
        var state = new DashboardState(TimeProvider.System);
        state.Apply(Run);
        state.Apply(Step(1, 1, 0.5));
        state.Apply(Step(1, 2, 0.4));

        var (first, cursor) = state.UpdateSince(StreamCursor.Fresh);
        state.Apply(Step(1, 3, 0.3));
        var (second, _) = state.UpdateSince(cursor);

        Assert.True(first.Full);
        Assert.Equal(3, first.Run!.Minibatches);
        Assert.Equal([1L, 2L], first.Steps.Select(s => s.Step));
        Assert.False(second.Full);
        Assert.Null(second.Run);
        Assert.Equal([3L], second.Steps.Select(s => s.Step));
    }

    [Fact]
    public void AResumedRunShowsTheEpochsItHadDoneBefore()
    {
        var state = new DashboardState(TimeProvider.System);
        var before = new EpochMetrics(1, 0.5, 0.6, 100, 2, 1, 10, 2);

        state.Apply(Run with { Earlier = [before] });

        Assert.Equal([before], state.UpdateSince(StreamCursor.Fresh).Update.Epochs);
    }

    [Fact]
    public void StepsAreNumberedAcrossEpochs()
    {
        var state = new DashboardState(TimeProvider.System);
        state.Apply(Step(2, 1, 0.2));

        var (update, _) = state.UpdateSince(StreamCursor.Fresh);

        // Three minibatches an epoch: the first of epoch 2 is step 4.
        Assert.Equal(4, update.Step);
        Assert.Equal(4, update.Steps.Single().Step);
        Assert.Equal("training", update.Status);
    }

    [Fact]
    public void APageThatCameBeforeTheRunWasDescribedGetsItLater()
    {
        var state = new DashboardState(TimeProvider.System);
        var (early, cursor) = state.UpdateSince(StreamCursor.Fresh);
        state.Apply(Run);

        var (later, next) = state.UpdateSince(cursor);
        var (after, _) = state.UpdateSince(next);

        Assert.Null(early.Run);
        Assert.Equal("/runs/x", later.Run!.OutDir);
        Assert.Null(after.Run);
    }

    [Fact]
    public void AWorkerRowShowsItsLastRoundAndThroughputOverItsRecentRounds()
    {
        var state = new DashboardState(TimeProvider.System);
        state.Apply(new WorkerUp("akka://rnn-cluster/user/worker-1", "akka://rnn-cluster"));
        state.Apply(TestRounds.Of(12, new WorkerShare("akka://rnn-cluster/user/worker-1", 8, 10)));
        state.Apply(TestRounds.Of(30, new WorkerShare("akka://rnn-cluster/user/worker-1", 4, 20)));

        var worker = state.UpdateSince(StreamCursor.Fresh).Update.Workers.Single();

        Assert.True(worker.Up);
        Assert.Equal((2L, 12L, 4, 20.0, 30.0), (worker.Rounds, worker.Samples, worker.LastSamples, worker.LastComputeMs, worker.LastRoundMs));
        // Decayed sums: (8·0.8 + 4) samples over (0.010·0.8 + 0.020) s.
        Assert.Equal((8 * 0.8 + 4) / (0.010 * 0.8 + 0.020), worker.SamplesPerSec, 9);
    }

    [Fact]
    public void AWorkerThatLeftStaysListedAsDown()
    {
        var state = new DashboardState(TimeProvider.System);
        state.Apply(new WorkerUp("w1", "akka.tcp://rnn-cluster@10.0.0.2:4053"));
        state.Apply(new WorkerUp("w2", "akka.tcp://rnn-cluster@10.0.0.3:4053"));
        state.Apply(new WorkerDown("w1"));

        var workers = state.UpdateSince(StreamCursor.Fresh).Update.Workers;

        Assert.Equal([("w1", false), ("w2", true)], workers.Select(w => (w.Id, w.Up)));
    }

    [Fact]
    public void ARoundSplitsIntoTheSlowestComputeAndTheRest()
    {
        var state = new DashboardState(TimeProvider.System);
        state.Apply(TestRounds.Of(50, new WorkerShare("a", 4, 30), new WorkerShare("b", 4, 42)));

        var round = state.UpdateSince(StreamCursor.Fresh).Update.Rounds.Single();

        Assert.Equal((1L, 50.0, 42.0, 8.0), (round.Round, round.RoundMs, round.ComputeMs, round.SyncMs));
    }

    [Fact]
    public void OnlyTheLastStepsAreKept()
    {
        var state = new DashboardState(TimeProvider.System);
        for (var i = 1; i <= DashboardState.StepsKept + 5; i++) state.Apply(new StepTaken(new StepProgress(1, i, int.MaxValue, 1.0 / i, 1)));

        var steps = state.UpdateSince(StreamCursor.Fresh).Update.Steps;

        Assert.Equal(DashboardState.StepsKept, steps.Count);
        Assert.Equal(6, steps[0].Step);
    }

    [Fact]
    public async Task AWaitingStreamWakesWhenAnEventArrives()
    {
        var state = new DashboardState(TimeProvider.System);
        var (_, cursor) = state.UpdateSince(StreamCursor.Fresh);
        var changed = state.ChangedSince(cursor);
        Assert.False(changed.IsCompleted);

        state.Apply(new RunEnded(RunOutcome.Failed, "all workers lost"));

        await changed.WaitAsync(TimeSpan.FromSeconds(10));
        var (update, _) = state.UpdateSince(cursor);
        Assert.Equal(("failed", "all workers lost"), (update.Status, update.Detail));
    }
}
