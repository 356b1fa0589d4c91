namespace RnnCluster.Coordinator.Training;

/// <summary>
/// What a training session tells its caller while it runs, in the order it happens. Calls come from the
/// actors' threads; each method does nothing unless implemented.
/// </summary>
public interface ISessionObserver
{
    /// <summary>
    /// The session is up and no actor of the job exists yet: the moment a caller may first write to its output.
    /// In cluster mode the node is bound and <paramref name="seed"/> is what workers give as `--seed-nodes` (null under `--discovery`).
    /// </summary>
    void Started(string? seed)
    {
    }

    /// <summary>Training waits until <paramref name="needed"/> workers are there; <paramref name="joined"/> are.</summary>
    void WaitingForWorkers(int joined, int needed)
    {
    }

    /// <summary><paramref name="worker"/> (its actor path) on node <paramref name="address"/> joined; <paramref name="workers"/> are known now.</summary>
    void WorkerArrived(string worker, string address, int workers)
    {
    }

    /// <summary><paramref name="worker"/> on node <paramref name="address"/> left the job; <paramref name="workers"/> remain.</summary>
    void WorkerLeft(string worker, string address, int workers)
    {
    }

    /// <summary>A training round ended, just before its step is reported.</summary>
    void RoundDone(RoundReport round)
    {
    }

    /// <summary>The worker at <paramref name="address"/> became unreachable; <paramref name="reachable"/> of <paramref name="workers"/> are reachable.</summary>
    void WorkerLost(string address, int reachable, int workers)
    {
    }

    /// <summary>The worker at <paramref name="address"/> is reachable again; <paramref name="reachable"/> of <paramref name="workers"/> are.</summary>
    void WorkerBack(string address, int reachable, int workers)
    {
    }

    /// <summary>A late or lost shard was given to another worker.</summary>
    void ShardReissued(ShardReissue reissue)
    {
    }

    /// <summary>A training step (one minibatch, one optimizer step) finished.</summary>
    void StepDone(StepProgress step)
    {
    }

    /// <summary>A checkpoint of the state at <paramref name="step"/> is complete at <paramref name="path"/>.</summary>
    void CheckpointWritten(string path, long step)
    {
    }

    /// <summary>A step was skipped: its loss, gradient or update was not finite; the weights stayed as they were.</summary>
    void StepSkipped(SkippedStep step)
    {
    }

    /// <summary>The worker at <paramref name="address"/> cannot hold the job and takes no part in it.</summary>
    void WorkerRefusedJob(string address, string reason)
    {
    }

    /// <summary>A message between the coordinator and a worker did not fit and was refused: <paramref name="description"/> is the whole line.</summary>
    void MessageRefused(string address, string description)
    {
    }

    /// <summary>An epoch finished, validated when the run has validation data.</summary>
    void EpochDone(EpochMetrics metrics)
    {
    }
}
