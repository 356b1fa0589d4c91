using Rnn.Math.Config;

namespace Rnn.Math.Training;

/// <summary>
/// Adam as PyTorch's torch.optim.Adam computes it (Kingma and Ba, Algorithm 1), with Keras's defaults
/// (learning rate 0.001, β1 0.9, β2 0.999, ε 1e-7):
///   m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
///   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + ε)
/// Where ε enters: it is added to the bias-corrected √v̂. Keras adds it to the uncorrected √v instead
/// ("epsilon hat"), which makes ε effectively √(1−β2^t) times larger in the first steps; we follow PyTorch so
/// that results agree with it to float32 rounding. The bias corrections are computed in double, as PyTorch
/// computes them in Python floats.
/// </summary>
public sealed class AdamOptimizer : Optimizer
{
    private readonly float _learningRate, _beta1, _beta2, _epsilon;
    private float[] _m, _v;
    private long _steps;

    public AdamOptimizer(OptimizerConfig config, int parameterCount)
    {
        _learningRate = config.LearningRate;
        _beta1 = config.Beta1;
        _beta2 = config.Beta2;
        _epsilon = config.Epsilon;
        _m = new float[parameterCount];
        _v = new float[parameterCount];
    }

    public override OptimizerState State => new(_steps, (float[])_m.Clone(), (float[])_v.Clone());

    protected override void Load(OptimizerState state)
    {
        _steps = state.Steps;
        _m = (float[])state.First.Clone();
        _v = (float[])state.Second.Clone();
    }

    public override void Step(Span<float> parameters, ReadOnlySpan<float> gradient)
    {
        if (parameters.Length != _m.Length || gradient.Length != _m.Length)
            throw new ArgumentException($"expected {_m.Length} parameters and gradients, got {parameters.Length} and {gradient.Length}");
        _steps++;
        double correction1 = 1 - System.Math.Pow(_beta1, _steps);
        double correction2 = 1 - System.Math.Pow(_beta2, _steps);
        float stepSize = (float)(_learningRate / correction1);
        float correction2Sqrt = (float)System.Math.Sqrt(correction2);
        float oneMinusBeta1 = 1 - _beta1, oneMinusBeta2 = 1 - _beta2;
        for (int i = 0; i < parameters.Length; i++)
        {
            float g = gradient[i];
            float m = _m[i] * _beta1 + g * oneMinusBeta1;
            float v = _v[i] * _beta2 + g * g * oneMinusBeta2;
            _m[i] = m;
            _v[i] = v;
            float denominator = MathF.Sqrt(v) / correction2Sqrt + _epsilon;
            parameters[i] -= stepSize * (m / denominator);
        }
    }
}
