using RnnCluster.Coordinator.Checkpoints;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// How a coordinator runs its job: the workers to wait for before the first round (`--min-workers`), and where
/// it keeps checkpoints (none when null).
/// </summary>
public sealed record CoordinatorSettings(int MinWorkers, CheckpointPolicy? Checkpoints = null)
{
    /// <summary>How long a started job waits for a worker once it has none left, before it fails.</summary>
    public TimeSpan WorkersLostDeadline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A shard is late, and goes to idle workers too, when its holder has had it for longer than this many times
    /// what its recent pace predicts (<see cref="WorkerPace"/>), plus <see cref="LateFloor"/>. Shards are sized so
    /// that every worker finishes together, so a shard past its time holds up the whole round; copying it costs
    /// only workers that would otherwise wait. Low enough that a stalled worker costs the round less than its own
    /// time again (the copy, cut among the idle workers, takes a fraction of a shard); high enough that the usual
    /// spread of shard times on a busy machine does not copy shards every round.
    /// </summary>
    public double LateMultiple { get; init; } = 1.5;

    /// <summary>Added to every shard's allowance: below a few tens of milliseconds, timing is mostly the scheduler's noise.</summary>
    public TimeSpan LateFloor { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How often a coordinator still waiting for workers says so again (for logs, where nothing redraws).</summary>
    public TimeSpan WaitingReminder { get; init; } = TimeSpan.FromSeconds(30);
}
