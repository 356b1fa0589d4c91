namespace Rnn.Math.Losses;

/// <summary>Σ (y - t)², gradient 2 (y - t).</summary>
internal static class MseLoss
{
    public static double Sum(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int count, float scale, Span<float> gradient)
    {
        double sum = 0;
        for (int j = 0; j < count; j++)
        {
            float diff = output[j] - target[j];
            sum += (double)diff * diff;
            gradient[j] = 2f * diff * scale;
        }
        return sum;
    }
}
