namespace RnnCluster.Coordinator.Training;

/// <summary>
/// The session was stopped (SIGTERM, Ctrl+C) before its last epoch: <see cref="State"/> is where it stood after
/// its last whole step, saved as <see cref="Checkpoint"/> when the session writes checkpoints and had taken a step.
/// </summary>
public sealed class TrainingStoppedException(TrainingState state, string? checkpoint) : OperationCanceledException("training was stopped")
{
    public TrainingState State { get; } = state;

    public string? Checkpoint { get; } = checkpoint;
}

/// <summary>The session failed (<see cref="Exception.InnerException"/> says why); <see cref="Checkpoint"/> is the last checkpoint written, if any.</summary>
public sealed class TrainingFailedException(Exception cause, string? checkpoint) : Exception(cause.Message, cause)
{
    public string? Checkpoint { get; } = checkpoint;
}
