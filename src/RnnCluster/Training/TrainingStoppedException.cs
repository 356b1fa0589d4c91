namespace RnnCluster.Coordinator.Training;

/// <summary>
/// The session was stopped (SIGTERM, Ctrl+C) before its last epoch: <see cref="State"/> is where it stood after
/// its last whole step, saved as <see cref="Checkpoint"/> when the session writes checkpoints and had taken a step.
/// </summary>
public sealed class TrainingStoppedException(TrainingState state, string? checkpoint) : OperationCanceledException("training was stopped")
{
    /// <summary>The state the run stopped in.</summary>
    public TrainingState State { get; } = state;

    /// <summary>The checkpoint written on the way out; null when the run stopped before its first step.</summary>
    public string? Checkpoint { get; } = checkpoint;
}

/// <summary>The session failed (<see cref="Exception.InnerException"/> says why); <see cref="Checkpoint"/> is the last checkpoint written, if any.</summary>
public sealed class TrainingFailedException(Exception cause, string? checkpoint) : Exception(cause.Message, cause)
{
    /// <summary>The newest checkpoint the run has, to resume from; null when it has none.</summary>
    public string? Checkpoint { get; } = checkpoint;
}
