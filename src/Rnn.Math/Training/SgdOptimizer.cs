using Rnn.Math.Config;

namespace Rnn.Math.Training;

/// <summary>
/// Stochastic gradient descent with momentum, in PyTorch's form: b ← μ·b + g (b = g on the first step),
/// p ← p − lr·b. With a constant learning rate this is Keras's v ← μ·v − lr·g, p ← p + v, since v = −lr·b.
/// Without momentum it is p ← p − lr·g, and the buffer stays zero. With Nesterov's momentum (torch.optim.SGD's
/// `nesterov=True`) the step looks ahead along the new buffer: p ← p − lr·(g + μ·b).
/// </summary>
public sealed class SgdOptimizer(OptimizerConfig config) : Optimizer
{
    private readonly float _learningRate = config.LearningRate, _momentum = config.Momentum;
    private readonly bool _nesterov = config.Nesterov;

    public override OptimizerState Initial(int parameterCount) => new(0, new float[parameterCount], []);

    protected override void Apply(ReadOnlySpan<float> parameters, OptimizerState state, ReadOnlySpan<float> gradient,
        Span<float> nextParameters, OptimizerState next)
    {
        bool first = state.Steps == 0;
        float[] buffer = state.First, nextBuffer = next.First;
        for (int i = 0; i < parameters.Length; i++)
        {
            float g = gradient[i], direction = g;
            if (_momentum != 0) direction = first ? direction : buffer[i] * _momentum + direction;
            nextBuffer[i] = _momentum != 0 ? direction : 0;
            if (_nesterov) direction = g + _momentum * direction;
            nextParameters[i] = parameters[i] - _learningRate * direction;
        }
    }
}
