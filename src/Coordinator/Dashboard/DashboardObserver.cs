using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Dashboard;

/// <summary>
/// The dashboard's place on the session's observer path: turns what the coordinator reports into the
/// dashboard's events, on the reporting thread, without waiting for anything. <paramref name="run"/> is posted
/// once the session is up, with the seed address workers join in cluster mode. Local workers all have the
/// process's own address, so they show as in-process.
/// </summary>
internal sealed class DashboardObserver(RunDashboard dashboard, RunDescribed run) : ISessionObserver
{
    private const string InProcess = "in-process";

    public void Started(string? seed) => dashboard.Post(run with { Seed = seed });

    public void WaitingForWorkers(int joined, int needed) => dashboard.Post(new AwaitingWorkers(joined, needed));

    public void WorkerArrived(string worker, string address, int workers) =>
        dashboard.Post(new WorkerUp(worker, run.Mode == RunDescribed.Local ? InProcess : address));

    public void WorkerLeft(string worker, string address, int workers) => dashboard.Post(new WorkerDown(worker));

    public void RoundDone(RoundReport round) => dashboard.Post(new RoundTimed(round));

    public void StepDone(StepProgress step) => dashboard.Post(new StepTaken(step));

    public void EpochDone(EpochMetrics metrics) => dashboard.Post(new EpochEnded(metrics));

    public void CheckpointWritten(string path, long step) => dashboard.Post(new CheckpointWritten(path, step));
}
