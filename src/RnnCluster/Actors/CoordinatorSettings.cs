using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// How a coordinator runs its job: the workers to wait for before the first round (`--min-workers`), and where
/// it keeps checkpoints (none when null).
/// </summary>
internal sealed record CoordinatorSettings(int MinWorkers, CheckpointPolicy? Checkpoints = null)
{
    /// <summary>How long a started job waits for a worker once it has none left, before it fails.</summary>
    public TimeSpan WorkersLostDeadline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A shard is late when its holder has had it for longer than this many times what its recent pace predicts
    /// (<see cref="WorkerPace"/>), and by at least <see cref="LateFloor"/>. Shards are sized so that every worker
    /// finishes together, so a shard past its time holds up the whole round. A late validation shard is copied to
    /// idle workers; a late training round starts again without its holder (its tree is planned per round), so a
    /// round with a stalled worker takes about this many round times plus one round on the others.
    /// </summary>
    public double LateMultiple { get; init; } = 1.25;

    /// <summary>
    /// The least time a shard may run past its expected time. A round of a small model lasts milliseconds, and on
    /// a busy machine the scheduler alone delays an answer by tens of milliseconds (measured: 50 to 140 ms, a few
    /// times in a thousand rounds, with load 19 on 2 cores): this keeps such noise from copying shards. It is a
    /// least slack, not added to <see cref="LateMultiple"/>'s, which rules for rounds of a second and more.
    /// </summary>
    public TimeSpan LateFloor { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// How long a training round whose holders have all answered waits for the root of its sums before it starts
    /// again. The root follows the last answer within the time of the tree's last transfers (under a second for
    /// 200 MB on loopback): this only ends a wait that would otherwise never end.
    /// </summary>
    public TimeSpan RootWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a coordinator still waiting for workers says so again (for logs, where nothing redraws).</summary>
    public TimeSpan WaitingReminder { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Faults to commit on purpose, for tests only (<see cref="TestFaults"/>).</summary>
    public TestFaults Faults { get; init; } = TestFaults.None;
}
