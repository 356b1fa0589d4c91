using System.Globalization;

namespace RnnCluster.Coordinator.Training;

/// <summary>
/// <see cref="Rnn.Math.Config.TrainingConfig.MaxBadSteps"/> steps in a row were skipped, the last of them
/// <see cref="Step"/> in epoch <see cref="Epoch"/> (from 1), the last for <see cref="Reason"/>. No update was
/// taken from any of them: the weights are those of step <see cref="LastGoodStep"/>.
/// </summary>
public sealed class TrainingDivergedException(long step, int epoch, int inARow, string reason) : Exception(Describe(step, epoch, inARow, reason))
{
    /// <summary>The step whose loss or gradients were not finite.</summary>
    public long Step { get; } = step;

    /// <summary>The epoch of <see cref="Step"/>.</summary>
    public int Epoch { get; } = epoch;

    /// <summary>The last step whose update was applied.</summary>
    public long LastGoodStep { get; } = step - inARow;

    /// <summary>What was not finite, in words.</summary>
    public string Reason { get; } = reason;

    private static string Describe(long step, int epoch, int inARow, string reason)
    {
        var steps = inARow == 1 ? $"step {step} was" : $"steps {step - inARow + 1} to {step}, {inARow} in a row, were";
        return string.Create(CultureInfo.InvariantCulture,
            $"training diverged at step {step} (epoch {epoch}): {steps} skipped for a loss, gradient or update that was not finite " +
            $"(training.maxBadSteps is {inARow}); the last: {reason}");
    }
}
