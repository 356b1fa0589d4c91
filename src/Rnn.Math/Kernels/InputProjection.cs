namespace Rnn.Math.Kernels;

/// <summary>
/// The input side of a recurrent layer's pre-activations for one row (sample, timestep):
/// gates = x · W_ihᵀ + b_ih (+ b_hh), in one pass over the row. Shapes: x (inputs), W_ihᵀ (inputs, width) row-major,
/// the biases and gates (width).
/// The product part is the FMA chain over the inputs in ascending order from +0 that <see cref="Gemm"/> defines, the
/// biases are added after it one at a time, so the bits are those of the product followed by two additions. A
/// first layer has few inputs (1 for the seed model): the product is then a few FMAs per element, and computing
/// it here spares the product's pass over the (n·T, width) gates and the biases' second pass. With
/// <paramref name="inputs"/> 0 the gates already hold the product (a product too wide for a row kernel) and
/// only the biases are added.
/// </summary>
internal unsafe struct InputProjection(float* x, int inputs, float* weightT, float* biasIh, float* biasHh, float* gates, int width) : IRowKernel
{
    /// <summary>Up to this many inputs the product is computed row by row here rather than by <see cref="Gemm"/>.</summary>
    public const int MaxRowInputs = 8;

    /// <summary>biasHh may be null: GRU adds b_hh inside its reset gate instead.</summary>
    public readonly void Run<TV>(nint j, int count)
        where TV : struct, ILanes<TV>
    {
        TV sum;
        if (inputs == 0)
        {
            sum = TV.Load(gates + j, count);
        }
        else
        {
            sum = TV.Of(0f);
            for (int p = 0; p < inputs; p++)
                sum = TV.MultiplyAdd(TV.Of(x[p]), TV.Load(weightT + p * width + j, count), sum);
        }
        sum = TV.Add(sum, TV.Load(biasIh + j, count));
        if (biasHh != null) sum = TV.Add(sum, TV.Load(biasHh + j, count));
        TV.Store(sum, gates + j, count);
    }
}
