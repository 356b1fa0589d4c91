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

    /// <summary>
    /// A tile of <see cref="WideColumns"/>; with <see cref="HalfHeight"/> only its first Rows / 2 rows, so a short
    /// last row panel (a shard of few samples) costs half a tile, not a whole one.
    /// </summary>
    static abstract unsafe void Wide<THeight>(float* a, nint aStep, float* b, nint ldb, int kc, float* c, nint ldc, bool loadC)
        where THeight : struct, ITileHeight;

    static abstract unsafe void Narrow<THeight>(float* a, nint aStep, float* b, nint ldb, int kc, float* c, nint ldc, bool loadC)
        where THeight : struct, ITileHeight;
}

/// <summary>
/// Whether a tile computes all of its kernel's rows or only the first half. A type argument rather than a
/// flag: the JIT compiles each height on its own and drops the unused half's registers and loads.
/// </summary>
internal interface ITileHeight
{
    static abstract bool Full { get; }
}

internal readonly struct FullHeight : ITileHeight
{
    public static bool Full => true;
}

internal readonly struct HalfHeight : ITileHeight
{
    public static bool Full => false;
}
