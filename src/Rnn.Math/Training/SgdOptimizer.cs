using Rnn.Math.Config;

namespace Rnn.Math.Training;

/// <summary>
/// Stochastic gradient descent with momentum, in PyTorch's form: b ← μ·b + g (b = g on the first step),
/// p ← p − lr·b. With a constant learning rate this is Keras's v ← μ·v − lr·g, p ← p + v, since v = −lr·b.
/// Without momentum it is p ← p − lr·g.
/// </summary>
public sealed class SgdOptimizer : Optimizer
{
    private readonly float _learningRate, _momentum;
    private float[] _buffer;
    private long _steps;

    public SgdOptimizer(OptimizerConfig config, int parameterCount)
    {
        _learningRate = config.LearningRate;
        _momentum = config.Momentum;
        _buffer = new float[parameterCount];
    }

    public override OptimizerState State => new(_steps, (float[])_buffer.Clone(), []);

    protected override void Load(OptimizerState state)
    {
        _steps = state.Steps;
        _buffer = (float[])state.First.Clone();
    }

    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        if (parameters.Length != _buffer.Length || gradient.Length != _buffer.Length)
            throw new ArgumentException($"expected {_buffer.Length} parameters and gradients, got {parameters.Length} and {gradient.Length}");
        bool first = _steps == 0;
        _steps++;
        for (int i = 0; i < parameters.Length; i++)
        {
            float direction = gradient[i];
            if (_momentum != 0)
            {
                direction = first ? direction : _buffer[i] * _momentum + direction;
                _buffer[i] = direction;
            }
            parameters[i] -= _learningRate * direction;
        }
    }
}
