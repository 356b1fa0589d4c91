namespace Rnn.Math.Kernels;

/// <summary>
/// The one matrix product of the hot path: C[m, n] (+)= Σ_k A[m, k] · B[k, n].
/// Every C element is one chain of fused multiply-adds over k in ascending order, starting from 0 (or from
/// C's value when accumulating). That order never depends on M, N, the tiling or the vector width, so a row
/// of C is the same bits whatever other rows are computed with it: the determinism of the whole trainer
/// rests on this.
/// Shapes: A is (M, K) read at a[m * aRowStride + k * aColStride] (so Aᵀ is a stride swap);
/// B is (K, N) with row k at b[k * ldb ..]; C is (M, N) with row m at c[m * ldc ..]. C must not share memory
/// with A or B.
/// Paths: Vector512 (AVX-512 tiles of 8 × 48 and 8 × 16), Vector256 (AVX2 + FMA, 6 × 16 and 6 × 8), Scalar;
/// <see cref="Multiply"/> takes the fastest the CPU has. Speed on one thread of the AMD EPYC Zen 5 this was
/// tuned on (best of repeated runs on a shared machine, measured by a throwaway program, not a test):
///   M=64,   N=1024, K=256          ~200 GFLOP/s (Vector256 ~67, Scalar ~4.6)
///   M=3200, N=200,  K=1            ~25 GFLOP/s: bound by writing C (2.5 MB, faster than a Span.Fill of it)
///   M=1024, N=256,  K=400, Aᵀ      ~195 GFLOP/s (Vector256 ~74, Scalar ~4.6)
/// OpenBLAS sgemm reaches about 165 GFLOP/s on one such core, MathNet's managed product about 6.
/// </summary>
public static partial class Gemm
{
    /// <summary>The scalar reference: the definition the vectorised kernel is held to, bit for bit.</summary>
    public static void MultiplyReference(
        int m, int n, int k,
        ReadOnlySpan<float> a, int aRowStride, int aColStride,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = accumulate ? c[i * ldc + j] : 0f;
                for (int p = 0; p < k; p++)
                    sum = MathF.FusedMultiplyAdd(a[i * aRowStride + p * aColStride], b[p * ldb + j], sum);
                c[i * ldc + j] = sum;
            }
        }
    }

    /// <summary>The production entry point; same contract and same bits as <see cref="MultiplyReference"/>.</summary>
    public static void Multiply(
        int m, int n, int k,
        ReadOnlySpan<float> a, int aRowStride, int aColStride,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate)
        => Multiply(FastestPath, m, n, k, a, aRowStride, aColStride, b, ldb, c, ldc, accumulate);

    /// <summary>
    /// As the product above with B taken packed (<see cref="PackedB"/>, for the path it was packed for): the same
    /// bits, without copying or striding through B again.
    /// </summary>
    public static unsafe void Multiply(
        int m, int n, int k,
        ReadOnlySpan<float> a, int aRowStride, int aColStride,
        PackedB b,
        Span<float> c, int ldc,
        bool accumulate)
    {
        if (b.K != k || b.N != n)
            throw new ArgumentException($"B was packed as ({b.K}, {b.N}), the product needs ({k}, {n})", nameof(b));
        if (b.Path == GemmPath.Scalar || m == 0 || n == 0 || k == 0)
        {
            Multiply(b.Path, m, n, k, a, aRowStride, aColStride, b.Values, n, c, ldc, accumulate);
            return;
        }
        CheckOperands(m, n, k, a.Length, aRowStride, aColStride, k * n, n, c.Length, ldc);
        fixed (float* pa = a)
        fixed (float* pb = b.Values)
        fixed (float* pc = c)
        {
            if (b.Path == GemmPath.Vector512)
                MultiplyBlocked<Vector512MicroKernel>(m, n, k, pa, aRowStride, aColStride, null, 0, pc, ldc, 1, accumulate, pb);
            else
                MultiplyBlocked<Vector256MicroKernel>(m, n, k, pa, aRowStride, aColStride, null, 0, pc, ldc, 1, accumulate, pb);
        }
    }

    /// <summary>The best path this CPU runs; the others stay reachable so tests can hold each to the reference.</summary>
    internal static GemmPath FastestPath { get; } =
        Vector512MicroKernel.IsSupported ? GemmPath.Vector512
        : Vector256MicroKernel.IsSupported ? GemmPath.Vector256
        : GemmPath.Scalar;

    internal static bool IsSupported(GemmPath path) => path switch
    {
        GemmPath.Vector512 => Vector512MicroKernel.IsSupported,
        GemmPath.Vector256 => Vector256MicroKernel.IsSupported,
        _ => true,
    };

    internal static unsafe void Multiply(
        GemmPath path,
        int m, int n, int k,
        ReadOnlySpan<float> a, int aRowStride, int aColStride,
        ReadOnlySpan<float> b, int ldb,
        Span<float> c, int ldc,
        bool accumulate)
    {
        if (!IsSupported(path))
            throw new PlatformNotSupportedException($"This CPU cannot run the {path} matrix product.");
        CheckOperands(m, n, k, a.Length, aRowStride, aColStride, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
            return;

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            if (k == 0)
            {
                if (!accumulate)
                {
                    for (int i = 0; i < m; i++)
                        new Span<float>(pc + (nint)i * ldc, n).Clear();
                }

                return;
            }

            switch (path)
            {
                case GemmPath.Vector512:
                    MultiplyVectorised<Vector512MicroKernel>(m, n, k, pa, aRowStride, aColStride, pb, ldb, pc, ldc, accumulate);
                    break;
                case GemmPath.Vector256:
                    MultiplyVectorised<Vector256MicroKernel>(m, n, k, pa, aRowStride, aColStride, pb, ldb, pc, ldc, accumulate);
                    break;
                default:
                    MultiplyScalar(m, n, k, pa, aRowStride, aColStride, pb, ldb, pc, ldc, accumulate);
                    break;
            }
        }
    }

    /// <summary>
    /// The fallback without vector FMA: rows of C kept as running sums, updated for k ascending, which is
    /// the reference's chain per element in a loop order that streams B rows.
    /// </summary>
    private static unsafe void MultiplyScalar(
        int m, int n, int k,
        float* a, nint aRowStride, nint aColStride,
        float* b, nint ldb,
        float* c, nint ldc,
        bool accumulate)
    {
        for (int i = 0; i < m; i++)
        {
            float* cRow = c + i * ldc;
            if (!accumulate)
                new Span<float>(cRow, n).Clear();
            for (int p = 0; p < k; p++)
            {
                float aip = a[i * aRowStride + p * aColStride];
                float* bRow = b + p * ldb;
                for (int j = 0; j < n; j++)
                    cRow[j] = MathF.FusedMultiplyAdd(aip, bRow[j], cRow[j]);
            }
        }
    }

    /// <summary>The kernels read through raw pointers, so every element they may touch is checked here once.</summary>
    private static void CheckOperands(
        int m, int n, int k, int aLength, int aRowStride, int aColStride, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Sizes must not be negative: m={m}, n={n}, k={k}.");
        if (aRowStride < 0 || aColStride < 0 || ldb < 0 || ldc < 0)
            throw new ArgumentOutOfRangeException(
                nameof(ldc), $"Strides must not be negative: A ({aRowStride}, {aColStride}), ldb {ldb}, ldc {ldc}.");
        if (m > 1 && ldc < n)
            throw new ArgumentOutOfRangeException(nameof(ldc), $"Rows of C would overlap: ldc {ldc} is less than n {n}.");
        if (m > 0 && k > 0 && (long)(m - 1) * aRowStride + (long)(k - 1) * aColStride >= aLength)
            throw new ArgumentException($"A holds {aLength} floats, too few for ({m}, {k}) at strides ({aRowStride}, {aColStride}).", "a");
        if (k > 0 && n > 0 && (long)(k - 1) * ldb + n > bLength)
            throw new ArgumentException($"B holds {bLength} floats, too few for ({k}, {n}) with ldb {ldb}.", "b");
        if (m > 0 && n > 0 && (long)(m - 1) * ldc + n > cLength)
            throw new ArgumentException($"C holds {cLength} floats, too few for ({m}, {n}) with ldc {ldc}.", "c");
    }
}
