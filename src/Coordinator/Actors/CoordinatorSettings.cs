using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// How a coordinator runs its job: the workers to wait for before the first round (`--min-workers`), and where
/// it keeps checkpoints (none when null).
/// </summary>
public sealed record CoordinatorSettings(int MinWorkers, CheckpointPolicy? Checkpoints = null)
{
    /// <summary>How long a started job waits for a worker once it has none left, before it fails.</summary>
    public TimeSpan WorkersLostDeadline { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a coordinator still waiting for workers says so again (for logs, where nothing redraws).</summary>
    public TimeSpan WaitingReminder { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Faults to commit on purpose, for tests only (<see cref="TestFaults"/>).</summary>
    public TestFaults Faults { get; init; } = TestFaults.None;
}
