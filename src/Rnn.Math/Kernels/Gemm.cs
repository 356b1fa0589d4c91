namespace Rnn.Math.Kernels;

/// <summary>
/// The one matrix product of the hot path: C[m, n] (+)= Σ_k A[m, k] · B[k, n].
/// Every C element is one chain of fused multiply-adds over k in ascending order, starting from 0 (or from
/// C's value when accumulating). That order never depends on M, N, the tiling or the vector width, so a row
/// of C is the same bits whatever other rows are computed with it: the determinism of the whole trainer
/// rests on this.
/// Shapes: A is (M, K) read at a[m * aRowStride + k * aColStride] (so Aᵀ is a stride swap);
/// B is (K, N) with row k at b[k * ldb ..]; C is (M, N) with row m at c[m * ldc ..].
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
        => MultiplyReference(m, n, k, a, aRowStride, aColStride, b, ldb, c, ldc, accumulate);

    /// <summary>dst (cols, rows) = srcᵀ for a row-major src (rows, cols).</summary>
    public static void Transpose(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                dst[c * rows + r] = src[r * cols + c];
    }
}
