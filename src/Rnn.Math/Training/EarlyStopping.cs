using Rnn.Math.Config;

namespace Rnn.Math.Training;

/// <summary>
/// Keras's EarlyStopping over a run's epochs: an epoch improves on the best when its figure is lower by more than
/// minDelta (higher, for an accuracy); after `patience` epochs in a row without, the run stops. The best epoch's
/// weights are kept when they are to be restored.
/// </summary>
public static class EarlyStopping
{
    /// <summary>The state after epoch <paramref name="epoch"/> (from 1) whose figure was <paramref name="figure"/> and whose weights are <paramref name="weights"/>.</summary>
    public static StoppingState AfterEpoch(EarlyStoppingConfig? config, StoppingState state, int epoch, double figure, float[] weights)
    {
        if (config is null) return state;
        bool maximise = LearningRateSchedule.Maximised(config.Monitor);
        bool improved = state.Best is not { } best || (maximise ? figure - config.MinDelta > best : figure + config.MinDelta < best);
        if (improved) return state with { Best = figure, BestEpoch = epoch, Wait = 0, BestWeights = config.RestoreBest ? weights : null };
        int wait = state.Wait + 1;
        return state with { Wait = wait, StoppedEpoch = wait >= config.Patience ? epoch : null };
    }
}

/// <summary>
/// Early stopping's position: the best figure and its epoch (from 1; 0 before any), the epochs since, the best
/// weights when they are to be restored (never written after), and the epoch the run stopped at, once it has.
/// </summary>
public sealed record StoppingState(double? Best = null, int BestEpoch = 0, int Wait = 0, float[]? BestWeights = null, int? StoppedEpoch = null)
{
    public static readonly StoppingState Start = new();
}
