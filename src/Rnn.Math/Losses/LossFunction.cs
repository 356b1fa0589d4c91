using Rnn.Math.Config;

namespace Rnn.Math.Losses;

/// <summary>
/// The losses over rows of network output: output and gradient are (rows, width); targets are (rows, width), or
/// (rows, 1) class indices for cross-entropy (whose output is logits). Each returns the UNSCALED loss sum, added
/// row after row in double, and writes gradient = scale · dLoss/dOutput, where the caller's scale is
/// 1/(terms in the whole minibatch) so the gradient is that of the minibatch mean, as PyTorch's mean reduction.
/// </summary>
public static class LossFunction
{
    public static double Sum(LossKind kind, ReadOnlySpan<float> output, ReadOnlySpan<float> target, int rows, int width, float scale, Span<float> gradient)
        => kind switch
        {
            LossKind.Mse => MseLoss.Sum(output, target, rows * width, scale, gradient),
            LossKind.Mae => MaeLoss.Sum(output, target, rows * width, scale, gradient),
            LossKind.CrossEntropy => CrossEntropyLoss.Sum(output, target, rows, width, scale, gradient),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

    /// <summary>Target values per output row: the width itself, or one class index for cross-entropy.</summary>
    public static int TargetWidth(LossKind kind, int outputWidth) => kind == LossKind.CrossEntropy ? 1 : outputWidth;
}
