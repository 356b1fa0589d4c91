using System.Globalization;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Progress;

/// <summary>The lines a run prints, in either mode, when something goes wrong that it recovers from.</summary>
internal static class TroubleLines
{
    /// <summary><c>step 37 skipped (epoch 3, minibatch 5 of 9): the gradient has NaN in layers.0.weight_ih_l0; weights unchanged (1 in a row; the run stops at 5)</c></summary>
    public static string Skipped(SkippedStep step) => string.Create(CultureInfo.InvariantCulture,
        $"step {step.Step} skipped (epoch {step.Epoch}, minibatch {step.Minibatch} of {step.Minibatches}): {step.Reason}; " +
        $"weights unchanged ({step.InARow} in a row; the run stops at {step.MaxInARow})");

    public static string RefusedJob(string address, string reason) => $"worker {address} refused the job: {reason}";
}
