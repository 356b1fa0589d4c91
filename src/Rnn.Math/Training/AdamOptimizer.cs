using System.Numerics;
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
/// computes them in Python floats. A weight decay λ is torch.optim.Adam's (L2: g ← g + λ·p before the moments)
/// or, for `adamw`, torch.optim.AdamW's (decoupled: p ← p·(1 − lr·λ) before the update).
/// </summary>
public sealed class AdamOptimizer(OptimizerConfig config) : Optimizer
{
    private readonly float _learningRate = config.LearningRate, _beta1 = config.Beta1, _beta2 = config.Beta2, _epsilon = config.Epsilon;
    private readonly float _l2 = config.Type == OptimizerKind.AdamW ? 0f : config.WeightDecay;
    private readonly float _decay = config.Type == OptimizerKind.AdamW ? (float)(1 - (double)config.LearningRate * config.WeightDecay) : 1f;

    public override OptimizerState Initial(int parameterCount) => new(0, new float[parameterCount], new float[parameterCount]);

    protected override void Apply(ReadOnlySpan<float> parameters, OptimizerState state, ReadOnlySpan<float> gradient,
        Span<float> nextParameters, OptimizerState next)
    {
        long t = next.Steps;
        double correction1 = 1 - System.Math.Pow(_beta1, t);
        double correction2 = 1 - System.Math.Pow(_beta2, t);
        float stepSize = (float)(_learningRate / correction1);
        float correction2Sqrt = (float)System.Math.Sqrt(correction2);
        float oneMinusBeta1 = 1 - _beta1, oneMinusBeta2 = 1 - _beta2;
        float[] m0 = state.First, v0 = state.Second, m1 = next.First, v1 = next.Second;
        // Vectors run the scalar loop's operations on each element (no fused multiply-add, IEEE square root and
        // division), so the bits are those of the scalar loop that finishes the tail; the scalar loop alone spent
        // about 11 cycles an element on its two divisions and the square root.
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var beta1 = new Vector<float>(_beta1);
            var beta2 = new Vector<float>(_beta2);
            var oneMinusBeta1V = new Vector<float>(oneMinusBeta1);
            var oneMinusBeta2V = new Vector<float>(oneMinusBeta2);
            var correction2SqrtV = new Vector<float>(correction2Sqrt);
            var epsilon = new Vector<float>(_epsilon);
            var stepSizeV = new Vector<float>(stepSize);
            var l2 = new Vector<float>(_l2);
            var decay = new Vector<float>(_decay);
            for (; i + Vector<float>.Count <= parameters.Length; i += Vector<float>.Count)
            {
                var p = new Vector<float>(parameters[i..]);
                var g = new Vector<float>(gradient[i..]) + p * l2;
                var m = new Vector<float>(m0, i) * beta1 + g * oneMinusBeta1V;
                var v = new Vector<float>(v0, i) * beta2 + g * g * oneMinusBeta2V;
                m.CopyTo(m1, i);
                v.CopyTo(v1, i);
                var denominator = Vector.SquareRoot(v) / correction2SqrtV + epsilon;
                (p * decay - stepSizeV * (m / denominator)).CopyTo(nextParameters[i..]);
            }
        }

        for (; i < parameters.Length; i++)
        {
            float g = gradient[i] + parameters[i] * _l2;
            float m = m0[i] * _beta1 + g * oneMinusBeta1;
            float v = v0[i] * _beta2 + g * g * oneMinusBeta2;
            m1[i] = m;
            v1[i] = v;
            float denominator = MathF.Sqrt(v) / correction2Sqrt + _epsilon;
            nextParameters[i] = parameters[i] * _decay - stepSize * (m / denominator);
        }
    }
}
