namespace Rnn.Math.Losses;

/// <summary>Σ |y - t|, gradient sign(y - t) with sign(0) = 0 as PyTorch.</summary>
internal static class MaeLoss
{
    public static double Sum(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int count, float scale, Span<float> gradient)
    {
        double sum = 0;
        for (int j = 0; j < count; j++)
        {
            float diff = output[j] - target[j];
            sum += System.Math.Abs((double)diff);
            gradient[j] = MathF.Sign(diff) * scale;
        }
        return sum;
    }
}
