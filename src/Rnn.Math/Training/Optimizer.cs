using Rnn.Math.Config;

namespace Rnn.Math.Training;

/// <summary>
/// One update rule over the flat parameter array. The coordinator runs it once per step on the finished
/// gradient; each element's update reads only that element's state, so the result never depends on how the
/// work was split. The rule holds only its hyperparameters: what it carries between steps is an
/// <see cref="OptimizerState"/>, and a step makes new parameters and a new state without touching the old ones,
/// so a step's inputs can be kept (in a checkpoint, say) while training goes on.
/// </summary>
public abstract class Optimizer
{
    public static Optimizer Create(OptimizerConfig config) => config.Type switch
    {
        OptimizerKind.Adam or OptimizerKind.AdamW => new AdamOptimizer(config),
        OptimizerKind.Sgd => new SgdOptimizer(config),
        OptimizerKind.RmsProp => new RmsPropOptimizer(config),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Type, "unknown optimizer"),
    };

    /// <summary>The state before the first step: no steps taken, every moment zero.</summary>
    public abstract OptimizerState Initial(int parameterCount);

    /// <summary>The parameters and state after one step along <paramref name="gradient"/>.</summary>
    public (float[] Parameters, OptimizerState State) Step(ReadOnlySpan<float> parameters, OptimizerState state, ReadOnlySpan<float> gradient)
    {
        if (gradient.Length != parameters.Length || state.First.Length != parameters.Length)
            throw new ArgumentException($"expected {state.First.Length} parameters and gradients, got {parameters.Length} and {gradient.Length}");
        // Every element of the new arrays is written by Apply; zeroing 12 MB per step for a 3M-parameter model is waste.
        var next = new OptimizerState(state.Steps + 1,
            GC.AllocateUninitializedArray<float>(state.First.Length), GC.AllocateUninitializedArray<float>(state.Second.Length));
        var nextParameters = GC.AllocateUninitializedArray<float>(parameters.Length);
        Apply(parameters, state, gradient, nextParameters, next);
        return (nextParameters, next);
    }

    /// <summary>Writes every element of <paramref name="nextParameters"/> and of <paramref name="next"/>'s moments.</summary>
    protected abstract void Apply(ReadOnlySpan<float> parameters, OptimizerState state, ReadOnlySpan<float> gradient,
        Span<float> nextParameters, OptimizerState next);
}

/// <summary>
/// What an optimizer carries between steps: the number of steps taken and up to two per-parameter moments
/// (Adam: first and second moment; SGD: the momentum buffer in <see cref="First"/>, <see cref="Second"/> empty;
/// RMSprop: the running mean of squared gradients in <see cref="First"/>).
/// Never written after it is made.
/// </summary>
public sealed record OptimizerState(long Steps, float[] First, float[] Second);
