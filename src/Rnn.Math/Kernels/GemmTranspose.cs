using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Math.Kernels;

/// <summary>Transposition: for B operands that arrive transposed, and for packing row-major A panels.</summary>
public static partial class Gemm
{
    /// <summary>dst (cols, rows) = srcᵀ for a row-major src (rows, cols).</summary>
    public static unsafe void Transpose(ReadOnlySpan<float> src, int rows, int cols, Span<float> dst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        if ((long)rows * cols > System.Math.Min(src.Length, dst.Length))
            throw new ArgumentException($"Transposing ({rows}, {cols}) needs {(long)rows * cols} floats on both sides.");

        // 32 × 32 blocks keep the lines of both the read and the written side in L1; inside them 8 × 8 blocks
        // are transposed in registers where AVX is there.
        const int block = 32;
        bool inRegisters = Avx.IsSupported;
        fixed (float* source = src)
        fixed (float* target = dst)
        {
            for (int r0 = 0; r0 < rows; r0 += block)
            {
                int rEnd = System.Math.Min(rows, r0 + block);
                for (int c0 = 0; c0 < cols; c0 += block)
                {
                    int cEnd = System.Math.Min(cols, c0 + block);
                    int r = r0;
                    for (; inRegisters && r + 8 <= rEnd; r += 8)
                    {
                        int c = c0;
                        for (; c + 8 <= cEnd; c += 8)
                            TransposeEightByEight(source + (nint)r * cols + c, cols, target + (nint)c * rows + r, rows);
                        TransposeScalar(source, rows, cols, target, r, r + 8, c, cEnd);
                    }

                    TransposeScalar(source, rows, cols, target, r, rEnd, c0, cEnd);
                }
            }
        }
    }

    private static unsafe void TransposeScalar(
        float* source, int rows, int cols, float* target, int rFrom, int rTo, int cFrom, int cTo)
    {
        for (int r = rFrom; r < rTo; r++)
        {
            for (int c = cFrom; c < cTo; c++)
                target[(nint)c * rows + r] = source[(nint)r * cols + c];
        }
    }

    /// <summary>dst[j * dstStride + i] = src[i * srcStride + j] for i, j in 0..8, in AVX registers.</summary>
    private static unsafe void TransposeEightByEight(float* src, nint srcStride, float* dst, nint dstStride)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + srcStride);
        Vector256<float> r2 = Avx.LoadVector256(src + 2 * srcStride), r3 = Avx.LoadVector256(src + 3 * srcStride);
        Vector256<float> r4 = Avx.LoadVector256(src + 4 * srcStride), r5 = Avx.LoadVector256(src + 5 * srcStride);
        Vector256<float> r6 = Avx.LoadVector256(src + 6 * srcStride), r7 = Avx.LoadVector256(src + 7 * srcStride);

        // Pairs of rows interleaved, then quads, then the 128-bit halves swapped into place.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + dstStride, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * dstStride, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * dstStride, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * dstStride, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * dstStride, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * dstStride, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * dstStride, Avx.Permute2x128(u3, u7, 0x31));
    }
}
