using Rnn.Math.Config;

namespace Rnn.Math.Training;

/// <summary>
/// RMSprop as torch.optim.RMSprop computes it (no momentum, not centred), with Keras's defaults (learning rate
/// 0.001, ρ 0.9, ε 1e-7) and ρ as PyTorch's alpha:
///   s ← ρ·s + (1−ρ)·g²;  p ← p − lr · g / (√s + ε)
/// The running mean of squared gradients starts at zero, as in both.
/// </summary>
public sealed class RmsPropOptimizer(OptimizerConfig config) : Optimizer
{
    private readonly float _learningRate = config.LearningRate, _rho = config.Rho, _epsilon = config.Epsilon;

    public override OptimizerState Initial(int parameterCount) => new(0, new float[parameterCount], []);

    protected override void Apply(ReadOnlySpan<float> parameters, OptimizerState state, ReadOnlySpan<float> gradient,
        Span<float> nextParameters, OptimizerState next)
    {
        float oneMinusRho = 1 - _rho;
        float[] squares = state.First, nextSquares = next.First;
        for (int i = 0; i < parameters.Length; i++)
        {
            float g = gradient[i];
            float s = squares[i] * _rho + g * g * oneMinusRho;
            nextSquares[i] = s;
            nextParameters[i] = parameters[i] - _learningRate * (g / (MathF.Sqrt(s) + _epsilon));
        }
    }
}
