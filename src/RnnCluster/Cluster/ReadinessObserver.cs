using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Coordinator.Cluster;

/// <summary>
/// The coordinator's `/ready` (<see cref="NodeHealth"/>): ready while its job has its workers and trains, not
/// while it waits for them (at the start, or when workers were lost below `--min-workers`).
/// </summary>
internal sealed class ReadinessObserver(NodeHealth health) : ISessionObserver
{
    private static readonly Readiness Training = new(true, "training: the job has its workers");

    public static Readiness Waiting(int joined, int needed) => new(false, $"waiting for workers: {joined} of {needed}");

    public void WaitingForWorkers(int joined, int needed) => health.Report(Waiting(joined, needed));

    public void RoundDone(RoundReport round) => health.Report(Training);
}
