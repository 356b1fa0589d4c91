using System.Collections.Concurrent;
using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Checkpoints;

namespace RnnCluster.Tests.Actors;

/// <summary>What a session tells its observer besides steps and epochs: who works, how each round went, which checkpoints exist.</summary>
public class SessionReportTests
{
    [Fact(Timeout = 120_000)]
    public async Task EachRoundIsReportedBeforeItsStepWithEveryWorkersShareOfTheMinibatch()
    {
        // 37 samples in minibatches of 10: three of 10, then one of 7.
        var job = TestJobs.StackedLstmGru(trainSamples: 37, epochs: 1);
        var observer = new RecordingObserver();

        await TrainingSession.RunLocalAsync(job, new LocalOptions(3), new SessionOptions(Observer: observer), default);

        var workers = observer.Reports.OfType<(string, string)>().Select(a => a.Item1).ToList();
        Assert.Equal(3, workers.Distinct().Count());
        var rounds = observer.Reports.OfType<RoundReport>().ToList();
        Assert.Equal([10, 10, 10, 7], rounds.Select(r => r.Shares.Sum(s => s.Samples)));
        Assert.All(rounds, r => Assert.Subset(workers.ToHashSet(), r.Shares.Select(s => s.Worker).ToHashSet()));
        Assert.All(rounds, r => Assert.Equal(r.Shares.Max(s => s.ComputeMs), r.Timing.SlowestComputeMs));
        var order = observer.Reports.Where(r => r is RoundReport or StepProgress).Select(r => r is RoundReport ? "round" : "step");
        Assert.Equal(Enumerable.Repeat(new[] { "round", "step" }, 4).SelectMany(p => p), order);
    }

    [Fact(Timeout = 120_000)]
    public async Task EveryCheckpointWrittenIsReportedWithItsPathAndStep()
    {
        using var temp = new TempFolder();
        var job = TestJobs.StackedLstmGru(epochs: 2);
        var folder = new CheckpointFolder(temp.Path, keep: 100);
        var policy = new CheckpointPolicy(folder, RunFingerprint.Of(CheckpointFileTests.Config(job), job), EverySteps: 3);
        var observer = new RecordingObserver();

        await TrainingSession.RunLocalAsync(job, new LocalOptions(2), new SessionOptions(Checkpoints: policy, Observer: observer), default);

        var reported = observer.Reports.OfType<(string Path, long Step)>().ToList();
        Assert.Equal(folder.Files().Order(), reported.Select(r => r.Path).Order());
        Assert.Equal(reported.Select(r => CheckpointFile.Read(r.Path).Position.Step), reported.Select(r => r.Step));
    }

    /// <summary>Every report in the order it came: worker arrivals as (worker, address), checkpoints as (path, step).</summary>
    private sealed class RecordingObserver : ISessionObserver
    {
        public ConcurrentQueue<object> Reports { get; } = new();

        public void WorkerArrived(string worker, string address, int workers) => Reports.Enqueue((worker, address));

        public void RoundDone(RoundReport round) => Reports.Enqueue(round);

        public void StepDone(StepProgress step) => Reports.Enqueue(step);

        public void CheckpointWritten(string path, long step) => Reports.Enqueue((path, step));
    }
}
