using Rnn.Math.Layers;

namespace Rnn.Math.Losses;

/// <summary>
/// PyTorch CrossEntropyLoss on logits z with class index c per row: log Σ exp(z) - z_c, gradient softmax(z) - onehot(c).
/// </summary>
internal static class CrossEntropyLoss
{
    public static double Sum(ReadOnlySpan<float> logits, ReadOnlySpan<float> target, int rows, int width, float scale, Span<float> gradient)
    {
        double sum = 0;
        for (int row = 0; row < rows; row++)
        {
            int c = ClassOf(target[row], width);
            var z = logits.Slice(row * width, width);
            var g = gradient.Slice(row * width, width);
            z.CopyTo(g);
            sum += Elementwise.Softmax(g) - z[c];
            g[c] -= 1f;
            for (int j = 0; j < width; j++) g[j] *= scale;
        }
        return sum;
    }

    private static int ClassOf(float value, int classes)
    {
        if (!(value >= 0f && value < classes && value == MathF.Floor(value)))
            throw new InputException($"cross-entropy target {value}: expected a class index, an integer in [0, {classes})");
        return (int)value;
    }
}
