namespace RnnCluster.Coordinator.Checkpoints;

/// <summary>
/// When and where a session writes checkpoints: every <see cref="EverySteps"/> optimizer steps when set, at each
/// epoch's end, and when the run is stopped or fails, into <see cref="Folder"/>, each stamped with
/// <see cref="Fingerprint"/>.
/// </summary>
public sealed record CheckpointPolicy(CheckpointFolder Folder, RunFingerprint Fingerprint, int? EverySteps = null)
{
    /// <summary>Whether a checkpoint is due after step <paramref name="step"/> (every <see cref="EverySteps"/> steps; never when null).</summary>
    public bool IsDueAfter(long step) => EverySteps is { } every && step % every == 0;
}
