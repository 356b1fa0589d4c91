using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;
using Rnn.Math.Training;

namespace Rnn.Math.Model;

/// <summary>
/// Keras's default initialisers, written into PyTorch's layout: glorot-uniform kernels and orthogonal recurrent
/// kernels (biases start at zero; each layer type adds what Keras adds, such as the LSTM forget gate's 1). Every
/// draw is keyed by (seed, layer index, tensor, element) through <see cref="CounterRandom"/>, so the weights
/// depend on the seed only.
/// </summary>
internal static class KerasInitializer
{
    private const ulong InputKernel = 0, RecurrentKernel = 1;

    /// <summary>Uniform in ±sqrt(6 / (fanIn + fanOut)); the draws are independent, so the storage order does not matter.</summary>
    public static void GlorotUniform(Span<float> weight, int fanIn, int fanOut, ulong seed, ulong layer)
    {
        double limit = System.Math.Sqrt(6.0 / (fanIn + fanOut));
        for (int e = 0; e < weight.Length; e++)
            weight[e] = (float)((2.0 * CounterRandom.Uniform(seed, layer, InputKernel, (ulong)e) - 1.0) * limit);
    }

    /// <summary>Keras's RandomUniform(-0.05, 0.05), the Embedding layer's default.</summary>
    public static void Uniform(Span<float> weight, double limit, ulong seed, ulong layer)
    {
        for (int e = 0; e < weight.Length; e++)
            weight[e] = (float)((2.0 * CounterRandom.Uniform(seed, layer, InputKernel, (ulong)e) - 1.0) * limit);
    }

    /// <summary>
    /// Keras Orthogonal on the recurrent kernel (H, G·H): QR of a standard normal (G·H, H) matrix a = QR,
    /// Q·sign(diag R), transposed to (H, G·H) because H &lt; G·H. PyTorch's weight_hh (G·H, H) is that kernel's
    /// transpose, which is Q itself: its columns are orthonormal.
    /// </summary>
    public static void Orthogonal(Span<float> weightHh, int units, int gates, ulong seed, ulong layer)
    {
        var a = Matrix<double>.Build.Dense(gates, units, (r, c) => StandardNormal(seed, layer, (ulong)(r * units + c)));
        var qr = a.QR(QRMethod.Thin);
        for (int r = 0; r < gates; r++)
            for (int c = 0; c < units; c++)
                weightHh[r * units + c] = (float)(qr.Q[r, c] * System.Math.Sign(qr.R[c, c]));
    }

    /// <summary>Box-Muller from two keyed uniforms; 1 - u keeps the logarithm's argument in (0, 1].</summary>
    private static double StandardNormal(ulong seed, ulong layer, ulong element)
    {
        double u1 = 1.0 - CounterRandom.Uniform(seed, layer, RecurrentKernel, element, 0);
        double u2 = CounterRandom.Uniform(seed, layer, RecurrentKernel, element, 1);
        return System.Math.Sqrt(-2.0 * System.Math.Log(u1)) * System.Math.Cos(2.0 * System.Math.PI * u2);
    }
}
