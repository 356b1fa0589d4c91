using Akka.Configuration;
using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Coordinator.Training;

/// <summary>
/// What a session needs besides its job: the state to start from (a checkpoint's when resuming; the job's
/// initial state when null), where to write checkpoints (nowhere when null), and who hears how it goes.
/// </summary>
public sealed record SessionOptions(TrainingState? Start = null, CheckpointPolicy? Checkpoints = null, ISessionObserver? Observer = null)
{
    /// <summary>A session from the job's initial state, with no checkpoints and nobody listening.</summary>
    public static readonly SessionOptions Default = new();

    /// <summary>Faults to commit on purpose, for tests only (<see cref="TestFaults"/>): the coordinator's, and in local mode its workers'.</summary>
    public TestFaults Faults { get; init; } = TestFaults.None;

    /// <summary>
    /// Runs once training has finished, before the workers are told the job is over and before this node leaves
    /// the cluster: the CLI writes the model here. A worker run with --once exits when told, and in the compose
    /// demo a container that exits stops the others, the coordinator's included, so its files come first.
    /// </summary>
    public Action<TrainingResult>? Finishing { get; init; }
}

/// <summary>Local mode's workers: how many, the threads each computes with, and Akka settings to add (tests serialise every message).</summary>
public sealed record LocalOptions(int Workers, int ThreadsPerWorker = 1)
{
    /// <summary>Akka settings added to the local actor system's.</summary>
    public Config Extra { get; init; } = ConfigurationFactory.Empty;
}
