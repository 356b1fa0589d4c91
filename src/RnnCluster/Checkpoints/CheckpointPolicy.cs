using Rnn.Math;
using RnnCluster.Coordinator.Training;

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

    /// <summary>
    /// The state to resume from: the newest checkpoint in <see cref="Folder"/> that reads back whole (a damaged one
    /// is passed over, <paramref name="warn"/> hears why), checked to belong to this run and to be short of
    /// <paramref name="epochs"/>. Throws <see cref="InputException"/> otherwise, its message beginning with
    /// <paramref name="source"/> (where the resume was asked for) or with <paramref name="epochsName"/> and the epochs.
    /// </summary>
    public TrainingState Resume(TrainingJob job, int epochs, string source, string epochsName, Action<string> warn)
    {
        var found = Folder.NewestValid(warn)
            ?? throw new InputException($"{source}: no checkpoint in {Folder.Path} " +
                (Folder.Files().Count == 0 ? "(the run stopped before its first checkpoint: start it again)" : "reads back whole"));
        var differences = found.Fingerprint.Differences(Fingerprint);
        if (differences.Count > 0)
            throw new InputException($"{source}: {Path.GetFileName(found.Path)} is a checkpoint of another run: " +
                string.Join("; ", differences.Take(3)) + (differences.Count > 3 ? $"; and {differences.Count - 3} more" : ""));
        var (epoch, minibatch) = (found.Position.Epoch, found.Position.Minibatch);
        int fewest = minibatch == 0 ? epoch : epoch + 1;
        if (epochs < fewest)
            throw new InputException($"{epochsName} {epochs}: the run is past that already ({Path.GetFileName(found.Path)} is " +
                (minibatch == 0 ? $"after epoch {epoch}" : $"in epoch {epoch + 1}") + $"); give {epochsName} {fewest} or more");
        return found.State(job.Network.Layout, job.StreamStateLength);
    }
}
