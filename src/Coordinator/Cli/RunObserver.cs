using RnnCluster.Coordinator.Output;
using RnnCluster.Coordinator.Progress;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// Hands what the session reports to the CLI at once, on the reporting thread. (System.Progress would post to
/// the thread pool, which can reorder epochs and run after the session has returned.) When the session has
/// started, <paramref name="started"/> prepares the output folder and gives the metrics log; nothing is
/// written there before. Workers are news only in cluster mode (<paramref name="showWorkers"/>): local ones
/// are part of the process.
/// </summary>
internal sealed class RunObserver(ITrainingDisplay display, Func<MetricsLog> started, int epochs, bool showWorkers) : ISessionObserver
{
    private MetricsLog? metrics;
    private string? seed;

    public void Started(string? seed)
    {
        this.seed = seed;
        metrics = started();
    }

    public void WaitingForWorkers(int joined, int needed)
    {
        if (showWorkers) display.Waiting(joined, needed, seed);
    }

    public void WorkerArrived(string worker, string address, int workers)
    {
        if (showWorkers) display.Note(WorkerLines.Joined(address, workers));
    }

    public void WorkerLeft(string worker, string address, int workers)
    {
        if (showWorkers) display.Note(WorkerLines.Left(address, workers));
    }

    public void WorkerLost(string address, int reachable, int workers)
    {
        if (showWorkers) display.Note(WorkerLines.Lost(address, reachable, workers));
    }

    public void WorkerBack(string address, int reachable, int workers)
    {
        if (showWorkers) display.Note(WorkerLines.Back(address, reachable, workers));
    }

    public void ShardReissued(ShardReissue reissue)
    {
        if (showWorkers) display.Note(WorkerLines.Reissued(reissue));
    }

    public void StepDone(StepProgress step) => display.StepDone(step);

    public void StepSkipped(SkippedStep step) => display.Note(TroubleLines.Skipped(step));

    public void WorkerRefusedJob(string address, string reason) => display.Note(TroubleLines.RefusedJob(address, reason));

    public void MessageRefused(string address, string description) => display.Note(description);

    public void EpochDone(EpochMetrics metrics)
    {
        this.metrics!.Append(metrics);
        display.EpochDone(metrics, epochs);
    }
}
