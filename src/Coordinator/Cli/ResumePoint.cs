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
    /// <summary>A new run may not take a folder that holds an earlier run's checkpoints: it is checked before anything is written there.</summary>
    public static void RequireFresh(CheckpointFolder checkpoints, string runFolder)
    {
        if (checkpoints.Files().Count > 0)
            throw new InputException($"--out {runFolder}: it holds the checkpoints of an earlier run; go on with that run with " +
                $"--resume {runFolder} (a larger --epochs extends a finished one), or choose another --out");
    }

    /// <summary>The state to resume from (<see cref="CheckpointPolicy.Resume"/>); a damaged checkpoint is passed over with one warning line each.</summary>
    public static TrainingState Load(string runFolder, CheckpointPolicy checkpoints, TrainingJob job, int epochs, TextWriter warnings) =>
        checkpoints.Resume(job, epochs, $"--resume {runFolder}", "--epochs", warning => warnings.WriteLine($"warning: {warning}"));
}
