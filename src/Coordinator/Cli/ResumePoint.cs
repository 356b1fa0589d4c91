using Rnn.Math;
using Rnn.Math.Model;
using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// Where a train run starts: a fresh state, or with --resume the newest checkpoint of the run folder that reads
/// back whole, after checking that it belongs to the run as configured now.
/// </summary>
internal static class ResumePoint
{
    /// <summary>A new run; its folder must not hold an earlier run's checkpoints, which it would mix with its own.</summary>
    public static TrainingState Fresh(TrainingJob job, CheckpointFolder checkpoints, string runFolder)
    {
        if (checkpoints.Files().Count > 0)
            throw new InputException($"--out {runFolder}: it holds the checkpoints of an earlier run; go on with that run with " +
                $"--resume {runFolder} (a larger --epochs extends a finished one), or choose another --out");
        return TrainingState.Initial(job);
    }

    /// <summary>
    /// The state to resume from. A damaged checkpoint is passed over with one warning line each; no usable
    /// checkpoint, one of another model or data, or one already past <paramref name="epochs"/> is the user's error.
    /// </summary>
    public static TrainingState Load(string runFolder, CheckpointPolicy checkpoints, Network network, int epochs, TextWriter warnings)
    {
        var found = checkpoints.Folder.NewestValid(warning => warnings.WriteLine($"warning: {warning}"))
            ?? throw new InputException($"--resume {runFolder}: no checkpoint in {checkpoints.Folder.Path} " +
                (checkpoints.Folder.Files().Count == 0 ? "(the run stopped before its first checkpoint: start it again)" : "reads back whole"));
        var differences = found.Fingerprint.Differences(checkpoints.Fingerprint);
        if (differences.Count > 0)
            throw new InputException($"--resume {runFolder}: {Path.GetFileName(found.Path)} is a checkpoint of another run: " +
                string.Join("; ", differences.Take(3)) + (differences.Count > 3 ? $"; and {differences.Count - 3} more" : ""));
        var (epoch, minibatch) = (found.Position.Epoch, found.Position.Minibatch);
        int fewest = minibatch == 0 ? epoch : epoch + 1;
        if (epochs < fewest)
            throw new InputException($"--epochs {epochs}: the run is past that already ({Path.GetFileName(found.Path)} is " +
                (minibatch == 0 ? $"after epoch {epoch}" : $"in epoch {epoch + 1}") + $"); give --epochs {fewest} or more");
        return found.State(network.Layout);
    }
}
