namespace Rnn.Math.Kernels;

/// <summary>
/// A register-blocked tile of the product: Rows rows of C by a panel of columns, held in vector registers for
/// the whole k loop, so each C element is still one FMA chain over k ascending.
/// Shapes: a holds the Rows values of A for step p at a[p * aStep + i] (a packed panel, aStep = Rows, or Aᵀ
/// read in place, aStep = its column stride); b is a (kc, columns) panel with row p
/// at b[p * ldb ..]; c is the (Rows, columns) tile with row i at c[i * ldc ..]. With loadC false the chains
/// start from +0, as the reference's do; with it they continue from C (accumulation, or the next K block).
/// </summary>
internal interface IGemmMicroKernel
{
    static abstract bool IsSupported { get; }

    static abstract int Rows { get; }

    static abstract int WideColumns { get; }

    /// <summary>The narrow panel trims the waste of padding when N is not a multiple of the wide panel.</summary>
    static abstract int NarrowColumns { get; }

    static abstract unsafe void Wide(float* a, nint aStep, float* b, nint ldb, int kc, float* c, nint ldc, bool loadC);

    static abstract unsafe void Narrow(float* a, nint aStep, float* b, nint ldb, int kc, float* c, nint ldc, bool loadC);

    /// <summary>
    /// The first Rows / 2 rows only: a last row panel that short (a shard of few samples) then costs half a
    /// tile, not a whole one.
    /// </summary>
    static abstract unsafe void HalfWide(float* a, nint aStep, float* b, nint ldb, int kc, float* c, nint ldc, bool loadC);

    static abstract unsafe void HalfNarrow(float* a, nint aStep, float* b, nint ldb, int kc, float* c, nint ldc, bool loadC);
}
