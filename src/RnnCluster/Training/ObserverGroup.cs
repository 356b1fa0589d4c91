namespace RnnCluster.Coordinator.Training;

/// <summary>Several observers heard as one: each report goes to each of them, in the order given.</summary>
public sealed class ObserverGroup(params ISessionObserver[] observers) : ISessionObserver
{
    /// <inheritdoc/>
    public void Started(string? seed) => Each(o => o.Started(seed));

    /// <inheritdoc/>
    public void WaitingForWorkers(int joined, int needed) => Each(o => o.WaitingForWorkers(joined, needed));

    /// <inheritdoc/>
    public void WorkerArrived(string worker, string address, int workers) => Each(o => o.WorkerArrived(worker, address, workers));

    /// <inheritdoc/>
    public void WorkerLeft(string worker, string address, int workers) => Each(o => o.WorkerLeft(worker, address, workers));

    /// <inheritdoc/>
    public void WorkerLost(string address, int reachable, int workers) => Each(o => o.WorkerLost(address, reachable, workers));

    /// <inheritdoc/>
    public void WorkerBack(string address, int reachable, int workers) => Each(o => o.WorkerBack(address, reachable, workers));

    /// <inheritdoc/>
    public void ShardReissued(ShardReissue reissue) => Each(o => o.ShardReissued(reissue));

    /// <inheritdoc/>
    public void RoundDone(RoundReport round) => Each(o => o.RoundDone(round));

    /// <inheritdoc/>
    public void StepDone(StepProgress step) => Each(o => o.StepDone(step));

    /// <inheritdoc/>
    public void EpochDone(EpochMetrics metrics) => Each(o => o.EpochDone(metrics));

    /// <inheritdoc/>
    public void CheckpointWritten(string path, long step) => Each(o => o.CheckpointWritten(path, step));

    /// <inheritdoc/>
    public void StepSkipped(SkippedStep step) => Each(o => o.StepSkipped(step));

    /// <inheritdoc/>
    public void WorkerRefusedJob(string address, string reason) => Each(o => o.WorkerRefusedJob(address, reason));

    /// <inheritdoc/>
    public void MessageRefused(string address, string description) => Each(o => o.MessageRefused(address, description));

    private void Each(Action<ISessionObserver> report)
    {
        foreach (var observer in observers) report(observer);
    }
}
