using System.Buffers;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Math.Kernels;

/// <summary>
/// The cache-blocked driver around a micro-kernel (GotoBLAS loop order: N block, K block, M block, column
/// panel, row tile). Blocking only decides which tile is computed when and where its operands sit; each C
/// element still runs its k ascending, K blocks resuming the chain from C, so no choice here changes a bit.
/// </summary>
public static partial class Gemm
{
    // A (kc × 48) B panel of 256 rows is 48 KB: it stays in L1/L2 while every row tile of the M block runs
    // over it. The packed A block (192 × 256 floats, 192 KB) stays in L2.
    private const int KBlock = 256;
    private const int MBlock = 192; // a multiple of every kernel's Rows, so only the last M block has a short panel
    private const int NBlock = 3072;

    // Below this many rows each B panel is used by too few row tiles to repay copying it; the kernel then reads
    // B in place with stride ldb and only partial panels are packed (with zero padding).
    private const int PackedBMinRows = 128;

    /// <summary>
    /// Vectorised products dispatch here. A product of a few columns with Aᵀ in place (a weight gradient for a
    /// small input) is computed as Cᵀ = Bᵀ Aᵀ instead, so the vectors run along M rather than padding the few
    /// columns to a whole panel; each element's chain is the same FMAs (a·b = b·a exactly), so the bits agree.
    /// </summary>
    private static unsafe void MultiplyVectorised<TKernel>(
        int m, int n, int k,
        float* a, nint aRowStride, nint aColStride,
        float* b, nint ldb,
        float* c, nint ldc,
        bool accumulate)
        where TKernel : struct, IGemmMicroKernel
    {
        if (aRowStride == 1 && n <= TKernel.Rows && m >= TKernel.WideColumns)
            MultiplyBlocked<TKernel>(n, m, k, b, 1, ldb, a, aColStride, c, 1, ldc, accumulate, null);
        else
            MultiplyBlocked<TKernel>(m, n, k, a, aRowStride, aColStride, b, ldb, c, ldc, 1, accumulate, null);
    }

    /// <summary>The floats of B (k, n) packed for <paramref name="path"/>: every K block's panels of every N block.</summary>
    internal static long PackedLength(GemmPath path, int k, int n) => path switch
    {
        GemmPath.Vector512 => PackedLength<Vector512MicroKernel>(k, n),
        GemmPath.Vector256 => PackedLength<Vector256MicroKernel>(k, n),
        _ => (long)k * n,
    };

    private static long PackedLength<TKernel>(int k, int n)
        where TKernel : struct, IGemmMicroKernel
    {
        long length = 0;
        for (int jc = 0; jc < n; jc += NBlock)
            length += (long)PaddedWidth<TKernel>(System.Math.Min(NBlock, n - jc)) * k;
        return length;
    }

    /// <summary>
    /// Packs all of B for <paramref name="path"/> in the order <see cref="MultiplyBlocked{TKernel}"/> reads it: per
    /// N block, per K block, its panels as one product would pack them (a scalar path keeps B row-major, n wide).
    /// </summary>
    internal static unsafe void PackAll(GemmPath path, int k, int n, float* b, nint ldb, float* dst)
    {
        switch (path)
        {
            case GemmPath.Vector512:
                PackAll<Vector512MicroKernel>(k, n, b, ldb, dst);
                break;
            case GemmPath.Vector256:
                PackAll<Vector256MicroKernel>(k, n, b, ldb, dst);
                break;
            default:
                for (int p = 0; p < k; p++)
                    new ReadOnlySpan<float>(b + p * ldb, n).CopyTo(new Span<float>(dst + (nint)p * n, n));
                break;
        }
    }

    private static unsafe void PackAll<TKernel>(int k, int n, float* b, nint ldb, float* dst)
        where TKernel : struct, IGemmMicroKernel
    {
        for (int jc = 0; jc < n; jc += NBlock)
        {
            int nc = System.Math.Min(NBlock, n - jc);
            for (int pc = 0; pc < k; pc += KBlock)
            {
                int kc = System.Math.Min(KBlock, k - pc);
                PackBBlock<TKernel>(b + pc * ldb + jc, ldb, kc, nc, packAll: true, dst);
                dst += (nint)PaddedWidth<TKernel>(nc) * kc;
            }
        }
    }

    /// <summary>The columns of a block's panels, the last ones padded.</summary>
    private static int PaddedWidth<TKernel>(int nc)
        where TKernel : struct, IGemmMicroKernel
    {
        int padded = 0;
        for (int j0 = 0; j0 < nc; j0 += PanelWidth<TKernel>(nc - j0)) padded += PanelWidth<TKernel>(nc - j0);
        return padded;
    }

    /// <summary>Packs a (kc, nc) block of B into its panels: all of them, or only the partial last one (<paramref name="packAll"/> false).</summary>
    private static unsafe void PackBBlock<TKernel>(float* bBlock, nint ldb, int kc, int nc, bool packAll, float* dst)
        where TKernel : struct, IGemmMicroKernel
    {
        for (int j0 = 0; j0 < nc;)
        {
            int width = PanelWidth<TKernel>(nc - j0);
            int columns = System.Math.Min(width, nc - j0);
            if (packAll || columns < width)
                PackBPanel(bBlock + j0, ldb, kc, columns, width, dst + j0 * kc);
            j0 += width;
        }
    }

    /// <summary>C element (i, j) is at c[i * cRowStride + j * cColStride]; tiles of a C that is not row-major go
    /// through the edge tile. With <paramref name="packed"/> (all of B as <see cref="PackAll{TKernel}"/> packs it)
    /// B is not read or packed here.</summary>
    private static unsafe void MultiplyBlocked<TKernel>(
        int m, int n, int k,
        float* a, nint aRowStride, nint aColStride,
        float* b, nint ldb,
        float* c, nint cRowStride, nint cColStride,
        bool accumulate,
        float* packed)
        where TKernel : struct, IGemmMicroKernel
    {
        int rows = TKernel.Rows;
        int kBlock = System.Math.Min(k, KBlock);
        int mBlock = System.Math.Min(RoundUp(m, rows), MBlock);
        int nBlock = System.Math.Min(RoundUp(n, TKernel.WideColumns), RoundUp(NBlock, TKernel.WideColumns));
        bool packB = m >= PackedBMinRows || packed != null;

        // Aᵀ (row stride 1) already holds a row panel's values for one k side by side: the kernel reads it in
        // place, which measured faster than packing it even when many column panels reuse the copy.
        bool aInPlace = aRowStride == 1;

        // One spare cache line lets the packed B panels start 64-byte aligned, so no vector load splits a line.
        float[] scratch = ArrayPool<float>.Shared.Rent(nBlock * kBlock + mBlock * kBlock + 16);
        float* edgeTile = stackalloc float[rows * TKernel.WideColumns];
        try
        {
            fixed (float* scratchStart = scratch)
            {
                float* scratchB = (float*)(((nint)scratchStart + 63) & ~(nint)63);
                float* packedA = scratchB + nBlock * kBlock;
                float* nextPacked = packed;
                for (int jc = 0; jc < n; jc += NBlock)
                {
                    int nc = System.Math.Min(NBlock, n - jc);
                    for (int pc = 0; pc < k; pc += KBlock)
                    {
                        int kc = System.Math.Min(KBlock, k - pc);
                        bool loadC = accumulate || pc > 0;
                        float* bBlock = b + pc * ldb + jc;
                        float* packedB = scratchB;
                        if (packed != null)
                        {
                            packedB = nextPacked;
                            nextPacked += (nint)PaddedWidth<TKernel>(nc) * kc;
                        }
                        else
                        {
                            PackBBlock<TKernel>(bBlock, ldb, kc, nc, packB, packedB);
                        }

                        for (int ic = 0; ic < m; ic += MBlock)
                        {
                            int mc = System.Math.Min(MBlock, m - ic);
                            float* aBlock = a + ic * aRowStride + pc * aColStride;

                            // Rows past m must read as zeros, so a partial last row panel is always packed.
                            int packedFrom = aInPlace ? mc - mc % rows : 0;
                            PackA(aBlock + packedFrom * aRowStride, aRowStride, aColStride, mc - packedFrom, kc, rows, packedA + packedFrom * kc);
                            for (int j0 = 0; j0 < nc;)
                            {
                                int width = PanelWidth<TKernel>(nc - j0);
                                int columns = System.Math.Min(width, nc - j0);
                                bool bInPlace = !packB && columns == width;
                                float* panel = bInPlace ? bBlock + j0 : packedB + j0 * kc;
                                nint panelStride = bInPlace ? ldb : width;
                                for (int ir = 0; ir < mc; ir += rows)
                                {
                                    bool rowsInPlace = ir < packedFrom;
                                    float* aPanel = rowsInPlace ? aBlock + ir : packedA + ir * kc;
                                    nint aStep = rowsInPlace ? aColStride : rows;
                                    float* cTile = c + (ic + ir) * cRowStride + (jc + j0) * cColStride;
                                    int tileRows = System.Math.Min(rows, mc - ir);
                                    if (tileRows == rows && columns == width && cColStride == 1)
                                    {
                                        RunTile<TKernel>(rows, width, aPanel, aStep, panel, panelStride, kc, cTile, cRowStride, loadC);
                                        continue;
                                    }

                                    // An edge tile runs the full kernel on a scratch tile, so its chains are the
                                    // same FMAs as an interior tile's; the padded lanes are discarded.
                                    if (loadC)
                                        CopyTile(cTile, cRowStride, cColStride, edgeTile, width, 1, tileRows, columns);
                                    RunTile<TKernel>(tileRows, width, aPanel, aStep, panel, panelStride, kc, edgeTile, width, loadC);
                                    CopyTile(edgeTile, width, 1, cTile, cRowStride, cColStride, tileRows, columns);
                                }

                                j0 += width;
                            }
                        }
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    /// <summary>Wide panels, then for the last columns whichever of one wide or a few narrow panels pads less.</summary>
    private static int PanelWidth<TKernel>(int columnsLeft)
        where TKernel : struct, IGemmMicroKernel
        => columnsLeft > TKernel.WideColumns - TKernel.NarrowColumns ? TKernel.WideColumns : TKernel.NarrowColumns;

    private static unsafe void RunTile<TKernel>(
        int tileRows, int width, float* a, nint aStep, float* b, nint ldb, int kc, float* c, nint ldc, bool loadC)
        where TKernel : struct, IGemmMicroKernel
    {
        bool half = tileRows <= TKernel.Rows / 2;
        if (width == TKernel.WideColumns)
        {
            if (half)
                TKernel.Wide<HalfHeight>(a, aStep, b, ldb, kc, c, ldc, loadC);
            else
                TKernel.Wide<FullHeight>(a, aStep, b, ldb, kc, c, ldc, loadC);
        }
        else if (half)
        {
            TKernel.Narrow<HalfHeight>(a, aStep, b, ldb, kc, c, ldc, loadC);
        }
        else
        {
            TKernel.Narrow<FullHeight>(a, aStep, b, ldb, kc, c, ldc, loadC);
        }
    }

    /// <summary>
    /// Packs the (mc, kc) block of A into row panels of <paramref name="rows"/>, k-major within a panel
    /// (dst[ir * kc + p * rows + i]), so the kernel broadcasts consecutive floats whatever A's strides; rows past
    /// mc are zero. The inner loop walks A along its smaller stride, so Aᵀ (row stride 1) is read a panel's
    /// worth of contiguous floats per k instead of one float per cache line.
    /// </summary>
    private static unsafe void PackA(float* a, nint rowStride, nint colStride, int mc, int kc, int rows, float* dst)
    {
        for (int ir = 0; ir < mc; ir += rows)
        {
            float* src = a + ir * rowStride;
            float* panel = dst + ir * kc;
            int valid = System.Math.Min(rows, mc - ir);
            if (valid == 8 && rows == 8 && colStride == 1 && Avx.IsSupported)
            {
                PackEightRowMajorRows(src, rowStride, kc, panel);
            }
            else if (rowStride < colStride)
            {
                for (int p = 0; p < kc; p++)
                {
                    for (int i = 0; i < valid; i++)
                        panel[p * rows + i] = src[p * colStride + i * rowStride];
                }
            }
            else
            {
                for (int i = 0; i < valid; i++)
                {
                    for (int p = 0; p < kc; p++)
                        panel[p * rows + i] = src[p * colStride + i * rowStride];
                }
            }

            for (int p = 0; p < kc; p++)
            {
                for (int i = valid; i < rows; i++)
                    panel[p * rows + i] = 0f;
            }
        }
    }

    /// <summary>The common row-major case of <see cref="PackA"/> for 8-row panels, 8 × 8 blocks at a time.</summary>
    private static unsafe void PackEightRowMajorRows(float* src, nint rowStride, int kc, float* panel)
    {
        int p = 0;
        for (; p + 8 <= kc; p += 8)
            TransposeEightByEight(src + p, rowStride, panel + p * 8, 8);
        for (; p < kc; p++)
        {
            for (int i = 0; i < 8; i++)
                panel[p * 8 + i] = src[i * rowStride + p];
        }
    }

    /// <summary>
    /// Packs a (kc, columns) slice of B into a (kc, width) panel, zero past the valid columns. Rows are copied in
    /// whole vectors, the last valid one masked: the narrow panel of a product's last few columns (N = 50 is
    /// 48 + 2) is packed on every call, and a memmove and a clear per row of 2 to 8 floats cost more than its FMAs.
    /// </summary>
    private static unsafe void PackBPanel(float* b, nint ldb, int kc, int columns, int width, float* dst)
    {
        if (width % 16 == 0 && Lanes512.IsSupported) PackBPanel<Lanes512>(b, ldb, kc, columns, width, dst);
        else if (width % 8 == 0 && Lanes256.IsSupported) PackBPanel<Lanes256>(b, ldb, kc, columns, width, dst);
        else PackBPanel<Lane1>(b, ldb, kc, columns, width, dst);
    }

    private static unsafe void PackBPanel<TV>(float* b, nint ldb, int kc, int columns, int width, float* dst)
        where TV : struct, ILanes<TV>
    {
        int whole = columns - columns % TV.Count, partial = columns - whole;
        int zeroFrom = partial > 0 ? whole + TV.Count : whole;
        for (int p = 0; p < kc; p++)
        {
            float* source = b + p * ldb, row = dst + p * width;
            for (int j = 0; j < whole; j += TV.Count)
                TV.Store(TV.Load(source + j, TV.Count), row + j, TV.Count);
            if (partial > 0)
                TV.Store(TV.Load(source + whole, partial), row + whole, TV.Count);
            for (int j = zeroFrom; j < width; j += TV.Count)
                TV.Store(TV.Of(0f), row + j, TV.Count);
        }
    }

    /// <summary>Edge tiles are a few rows of at most one panel: a plain loop beats a memmove call per row.</summary>
    private static unsafe void CopyTile(
        float* src, nint srcRowStride, nint srcColStride, float* dst, nint dstRowStride, nint dstColStride, int rows, int columns)
    {
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
                dst[i * dstRowStride + j * dstColStride] = src[i * srcRowStride + j * srcColStride];
        }
    }

    private static int RoundUp(int value, int multiple) => (value + multiple - 1) / multiple * multiple;
}
