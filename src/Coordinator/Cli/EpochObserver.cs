using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// Hands each finished epoch to the CLI at once, on the reporting thread. (System.Progress would post to
/// the thread pool, which can reorder epochs and run after the session has returned.)
/// </summary>
internal sealed class EpochObserver(Action<EpochMetrics> onEpoch) : IProgress<EpochMetrics>
{
    public void Report(EpochMetrics value) => onEpoch(value);
}
