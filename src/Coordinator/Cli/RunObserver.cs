using RnnCluster.Coordinator.Output;
using RnnCluster.Coordinator.Progress;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// Hands each finished step and epoch to the CLI at once, on the reporting thread. (System.Progress would
/// post to the thread pool, which can reorder epochs and run after the session has returned.) A stopped
/// run's actors may finish one more step while shutting down; that is no longer the user's run, so it is
/// neither logged nor shown.
/// </summary>
internal sealed class RunObserver(ITrainingDisplay display, MetricsLog metrics, int epochs, CancellationToken cancellation)
    : IProgress<EpochMetrics>, IProgress<StepProgress>
{
    public void Report(EpochMetrics value)
    {
        if (cancellation.IsCancellationRequested) return;
        metrics.Append(value);
        display.EpochDone(value, epochs);
    }

    public void Report(StepProgress value)
    {
        if (!cancellation.IsCancellationRequested) display.StepDone(value);
    }
}
