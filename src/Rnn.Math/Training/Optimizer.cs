using Rnn.Math.Config;

namespace Rnn.Math.Training;

/// <summary>
/// One update rule over the flat parameter array. The coordinator runs it once per step on the finished
/// gradient; each element's update reads only that element's state, so the result never depends on how the
/// work was split. <see cref="State"/> is everything a checkpoint needs to continue with the same bits.
/// </summary>
public abstract class Optimizer
{
    public abstract void Step(Span<float> parameters, ReadOnlySpan<float> gradient);

    public abstract OptimizerState State { get; }

    public static Optimizer Create(OptimizerConfig config, int parameterCount) => config.Type switch
    {
        OptimizerKind.Adam => new AdamOptimizer(config, parameterCount),
        OptimizerKind.Sgd => new SgdOptimizer(config, parameterCount),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Type, "unknown optimizer"),
    };

    /// <summary>An optimizer of <paramref name="config"/>'s kind continuing from a saved state.</summary>
    public static Optimizer Restore(OptimizerConfig config, OptimizerState state)
    {
        var optimizer = Create(config, state.First.Length);
        optimizer.Load(state);
        return optimizer;
    }

    protected abstract void Load(OptimizerState state);
}

/// <summary>
/// What an optimizer carries between steps: the number of steps taken and up to two per-parameter moments
/// (Adam: first and second moment; SGD: the momentum buffer in <see cref="First"/>, <see cref="Second"/> empty).
/// </summary>
public sealed record OptimizerState(long Steps, float[] First, float[] Second);
