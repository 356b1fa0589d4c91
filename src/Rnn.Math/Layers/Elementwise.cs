using System.Numerics.Tensors;

namespace Rnn.Math.Layers;

/// <summary>
/// Row-wise activation math. Callers pass one row at a time (a length fixed by the layer's width, never by the
/// shard's size) so TensorPrimitives takes the same code path for a row whatever shard it is in.
/// </summary>
internal static class Elementwise
{
    /// <summary>dst = dy · y · (1 - y): the sigmoid's derivative from its output. dst must not alias y or dy.</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dst)
    {
        TensorPrimitives.Subtract(1f, y, dst);
        TensorPrimitives.Multiply(dst, y, dst);
        TensorPrimitives.Multiply(dst, dy, dst);
    }

    /// <summary>dst = dy · (1 - y²): tanh's derivative from its output. dst must not alias y or dy.</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dst)
    {
        TensorPrimitives.Multiply(y, y, dst);
        TensorPrimitives.Subtract(1f, dst, dst);
        TensorPrimitives.Multiply(dst, dy, dst);
    }

    /// <summary>
    /// Softmax in place, shifted by the row's maximum so large logits cannot overflow. Returns log Σ exp(x),
    /// the row's log-sum-exp, from which cross-entropy takes its loss without underflow.
    /// </summary>
    public static double Softmax(Span<float> row)
    {
        float max = TensorPrimitives.Max(row);
        TensorPrimitives.Subtract(row, max, row);
        TensorPrimitives.Exp(row, row);
        float sum = TensorPrimitives.Sum(row);
        TensorPrimitives.Divide(row, sum, row);
        return max + System.Math.Log(sum);
    }
}
