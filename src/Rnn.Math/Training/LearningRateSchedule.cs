using Rnn.Math.Config;

namespace Rnn.Math.Training;

/// <summary>
/// `training.schedule`: the learning rate of each step, from the optimizer's own (lr). `step`: lr·γ^⌊epoch/E⌋, epochs
/// from 0 (torch StepLR). `cosine`: at step t (from 0) of the run's S steps, lr·(t+1)/W while t &lt; W, then
/// m + (lr−m)·(1+cos(π(t−W)/(S−W)))/2. `plateau`: torch ReduceLROnPlateau, the rate multiplied by the factor, not
/// below its minimum, once the monitored figure has not improved (by more than a relative 1e-4, as torch's default
/// threshold) for more than `patience` epochs; it lives in a <see cref="PlateauState"/>, which checkpoints keep.
/// </summary>
public static class LearningRateSchedule
{
    /// <summary>The rate of step <paramref name="step"/> (from 0) of <paramref name="totalSteps"/>, in epoch <paramref name="epoch"/> (from 0).</summary>
    public static float Rate(float baseRate, ScheduleConfig? schedule, int epoch, long step, long totalSteps, PlateauState plateau) => schedule?.Type switch
    {
        ScheduleKind.Step => (float)(baseRate * System.Math.Pow(schedule.Gamma, epoch / schedule.Every)),
        ScheduleKind.Cosine => Cosine(baseRate, schedule, step, totalSteps),
        ScheduleKind.Plateau => (float)(plateau.Rate ?? baseRate),
        _ => baseRate,
    };

    private static float Cosine(float baseRate, ScheduleConfig schedule, long step, long totalSteps)
    {
        long warmup = schedule.WarmupSteps;
        if (step < warmup) return (float)((double)baseRate * (step + 1) / warmup);
        double span = System.Math.Max(1, totalSteps - warmup), minimum = schedule.MinLearningRate;
        return (float)(minimum + (baseRate - minimum) * (1 + System.Math.Cos(System.Math.PI * (step - warmup) / span)) / 2);
    }

    /// <summary>The plateau schedule after an epoch whose monitored figure was <paramref name="figure"/>; any other schedule's state as it was.</summary>
    public static PlateauState AfterEpoch(float baseRate, ScheduleConfig? schedule, PlateauState plateau, double figure)
    {
        if (schedule is not { Type: ScheduleKind.Plateau }) return plateau;
        bool maximise = Maximised(schedule.Monitor);
        bool better = plateau.Best is not { } best || (maximise ? figure > best * (1 + 1e-4) : figure < best * (1 - 1e-4));
        if (better) return plateau with { Best = figure, BadEpochs = 0 };
        int bad = plateau.BadEpochs + 1;
        if (bad <= schedule.Patience) return plateau with { BadEpochs = bad };
        double rate = plateau.Rate ?? baseRate, reduced = System.Math.Max(rate * schedule.Factor, schedule.MinLearningRate);
        // torch leaves the rate where a reduction would move it by less than 1e-8.
        return plateau with { Rate = rate - reduced > 1e-8 ? reduced : rate, BadEpochs = 0 };
    }

    /// <summary>Keras's "auto" mode: an accuracy is better higher, every other figure lower.</summary>
    public static bool Maximised(string monitor) => monitor.EndsWith("ccuracy", StringComparison.Ordinal);
}

/// <summary>A plateau schedule's position: its current rate (null: the optimizer's own), the best figure so far, the epochs since.</summary>
public sealed record PlateauState(double? Rate = null, double? Best = null, int BadEpochs = 0)
{
    public static readonly PlateauState Start = new();
}
