namespace Rnn.Math.Training;

/// <summary>
/// `clipNorm`: scales the whole gradient so that its global L2 norm over all parameters is at most the limit,
/// as torch.nn.utils.clip_grad_norm_ does (coefficient limit / (norm + 1e-6), applied only when below 1).
/// This is Keras's `global_clipnorm`, not its per-tensor `clipnorm`. The norm is one sequential loop in double
/// over the flat array, so it is the same bits on every run.
/// </summary>
public static class GradientClipping
{
    /// <summary>Clips in place and returns the norm before clipping.</summary>
    public static double ClipGlobalNorm(Span<float> gradient, float maxNorm)
    {
        double sumOfSquares = 0;
        foreach (float g in gradient)
            sumOfSquares += (double)g * g;
        double norm = System.Math.Sqrt(sumOfSquares);
        if (maxNorm > 0)
        {
            float coefficient = (float)(maxNorm / (norm + 1e-6));
            if (coefficient < 1)
                for (int i = 0; i < gradient.Length; i++)
                    gradient[i] *= coefficient;
        }
        return norm;
    }
}
