using Rnn.Math.Kernels;

namespace RnnCluster.Tests.Kernels;

/// <summary>
/// Gemm.Multiply is held to Gemm.MultiplyReference bit for bit, on every instruction-set path this CPU runs:
/// the determinism of training across workers depends on it, so no tolerance is allowed anywhere here.
/// </summary>
public class GemmTests
{
    private static readonly int[] OddSizes = [1, 3, 15, 16, 17, 33, 63, 65, 127, 200, 1000];

    public static TheoryData<string> Paths()
    {
        var paths = new TheoryData<string>();
        foreach (GemmPath path in Enum.GetValues<GemmPath>())
        {
            if (Gemm.IsSupported(path))
                paths.Add(path.ToString());
        }

        return paths;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void RowMajorProductMatchesReferenceForOddShapes(string path)
    {
        foreach (var (m, n, k) in OddShapes(seed: 1))
            AssertMatchesReference(path, m, n, k, aRowStride: k, aColStride: 1, ldb: n, ldc: n, accumulate: false, seed: m + n + k);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void TransposedAMatchesReferenceForOddShapes(string path)
    {
        foreach (var (m, n, k) in OddShapes(seed: 2))
            AssertMatchesReference(path, m, n, k, aRowStride: 1, aColStride: m, ldb: n, ldc: n, accumulate: false, seed: m * n + k);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void PaddedLeadingDimensionsMatchReference(string path)
    {
        foreach (var (m, n, k) in OddShapes(seed: 3))
        {
            AssertMatchesReference(path, m, n, k, aRowStride: k + 5, aColStride: 1, ldb: n + 3, ldc: n + 7, accumulate: false, seed: m + 3 * n + k);
            AssertMatchesReference(path, m, n, k, aRowStride: 1, aColStride: m + 2, ldb: n + 16, ldc: n + 1, accumulate: false, seed: m + 5 * n + k);
            AssertMatchesReference(path, m, n, k, aRowStride: 2 * k + 1, aColStride: 2, ldb: n + 1, ldc: n + 16, accumulate: false, seed: m + 7 * n + k);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void AccumulateContinuesTheChainFromC(string path)
    {
        foreach (var (m, n, k) in OddShapes(seed: 4))
        {
            AssertMatchesReference(path, m, n, k, aRowStride: k, aColStride: 1, ldb: n, ldc: n + 2, accumulate: true, seed: 11 * m + n + k);
            AssertMatchesReference(path, m, n, k, aRowStride: 1, aColStride: m, ldb: n, ldc: n, accumulate: true, seed: 13 * m + n + k);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ProductsSpanningSeveralCacheBlocksMatchReference(string path)
    {
        // Longer than one K block, taller than one M block, wider than one N block: each block boundary
        // resumes the same chains.
        AssertMatchesReference(path, 5, 7, 1000, aRowStride: 1000, aColStride: 1, ldb: 7, ldc: 7, accumulate: false, seed: 21);
        AssertMatchesReference(path, 33, 65, 600, aRowStride: 1, aColStride: 33, ldb: 65, ldc: 65, accumulate: true, seed: 22);
        AssertMatchesReference(path, 401, 50, 17, aRowStride: 17, aColStride: 1, ldb: 50, ldc: 50, accumulate: false, seed: 23);
        AssertMatchesReference(path, 9, 3100, 3, aRowStride: 3, aColStride: 1, ldb: 3100, ldc: 3100, accumulate: true, seed: 24);
        AssertMatchesReference(path, 200, 200, 300, aRowStride: 1, aColStride: 200, ldb: 200, ldc: 200, accumulate: false, seed: 25);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void ProductShapesOfTheTrainerMatchReference(string path)
    {
        AssertMatchesReference(path, 3200, 200, 1, aRowStride: 1, aColStride: 1, ldb: 200, ldc: 200, accumulate: false, seed: 31);
        AssertMatchesReference(path, 64, 1024, 256, aRowStride: 256, aColStride: 1, ldb: 1024, ldc: 1024, accumulate: true, seed: 32);
        AssertMatchesReference(path, 32, 50, 200, aRowStride: 200, aColStride: 1, ldb: 50, ldc: 50, accumulate: false, seed: 33);
        AssertMatchesReference(path, 200, 1, 400, aRowStride: 1, aColStride: 200, ldb: 1, ldc: 1, accumulate: true, seed: 34);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void FewColumnsWithTransposedAMatchReference(string path)
    {
        // Weight gradients for a small input: computed as Cᵀ = Bᵀ Aᵀ, with C written through its transpose.
        foreach (int n in new[] { 1, 2, 3, 5, 6, 7, 8, 9 })
        {
            foreach (int m in new[] { 47, 48, 50, 200, 1000 })
            {
                AssertMatchesReference(path, m, n, 400, aRowStride: 1, aColStride: m, ldb: n, ldc: n, accumulate: false, seed: m * 10 + n);
                AssertMatchesReference(path, m, n, 33, aRowStride: 1, aColStride: m + 3, ldb: n + 2, ldc: n + 5, accumulate: true, seed: m * 20 + n);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void RowOfCDoesNotDependOnTheOtherRows(string path)
        => AssertRowsMatchSingleRowProducts(path, tallM: 37, n: 77, k: 45, aTransposed: false, rows: [0, 5, 8, 17, 36]);

    [Theory]
    [MemberData(nameof(Paths))]
    public void RowOfCDoesNotDependOnTheOtherRowsWhenAIsTransposed(string path)
    {
        // Few columns: the tall product runs as Cᵀ = Bᵀ Aᵀ, the single row does not; the bits must not care.
        AssertRowsMatchSingleRowProducts(path, tallM: 100, n: 3, k: 45, aTransposed: true, rows: [0, 5, 48, 99]);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EveryTailUsesFusedMultiplyAdd(string path)
    {
        // (1 + 2^-12)² = 1 + 2^-11 + 2^-24 needs 25 bits: fused with -(1 + 2^-11) it leaves 2^-24, rounded first 0.
        const float x = 1f + 1f / 4096f;
        for (int n = 1; n <= 70; n++)
        {
            float[] b = Enumerable.Repeat(x, n).ToArray();
            float[] c = Enumerable.Repeat(-(1f + 1f / 2048f), 9 * n).ToArray();
            Gemm.Multiply(Enum.Parse<GemmPath>(path), 9, n, 1, Enumerable.Repeat(x, 9).ToArray(), 1, 1, b, n, c, n, accumulate: true);
            Assert.All(c, value => Assert.Equal(1f / (1 << 24), value));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void SignedZerosAndSubnormalsMatchReference(string path)
    {
        const int m = 19, n = 37, k = 11;
        var rng = new Random(51);
        float[] special = [0f, -0f, float.Epsilon, -float.Epsilon, 1e-38f, -3e-39f, 1f, -1f];
        float[] a = Enumerable.Range(0, m * k).Select(_ => special[rng.Next(special.Length)]).ToArray();
        float[] b = Enumerable.Range(0, k * n).Select(_ => special[rng.Next(special.Length)]).ToArray();
        foreach (bool accumulate in new[] { false, true })
        {
            float[] expected = Enumerable.Range(0, m * n).Select(_ => special[rng.Next(special.Length)]).ToArray();
            float[] actual = (float[])expected.Clone();
            Gemm.MultiplyReference(m, n, k, a, k, 1, b, n, expected, n, accumulate);
            Gemm.Multiply(Enum.Parse<GemmPath>(path), m, n, k, a, k, 1, b, n, actual, n, accumulate);
            AssertBitwiseEqual(expected, actual, $"special values, accumulate={accumulate}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EmptyInnerDimensionZeroesOrKeepsC(string path)
    {
        float[] c = [1f, 2f, 3f, 4f, 5f, 6f];
        Gemm.Multiply(Enum.Parse<GemmPath>(path), 2, 3, 0, [], 0, 0, [], 3, c, 3, accumulate: true);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], c);
        Gemm.Multiply(Enum.Parse<GemmPath>(path), 2, 3, 0, [], 0, 0, [], 3, c, 3, accumulate: false);
        Assert.Equal(new float[6], c);
    }

    [Fact]
    public void OperandTooShortForItsShapeIsRejected()
    {
        float[] a = new float[6], b = new float[6], c = new float[4];
        Gemm.Multiply(2, 2, 3, a, 3, 1, b, 2, c, 2, accumulate: false);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(2, 2, 3, a.AsSpan(1), 3, 1, b, 2, c, 2, accumulate: false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(2, 2, 3, a, 3, 1, b.AsSpan(1), 2, c, 2, accumulate: false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(2, 2, 3, a, 3, 1, b, 2, c.AsSpan(1), 2, accumulate: false));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(2, 2, 3, a, 1, 3, b, 2, c, 2, accumulate: false));
    }

    [Fact]
    public void LeadingDimensionOfCShorterThanARowIsRejected()
    {
        float[] a = new float[4], b = new float[4], c = new float[8];
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply(2, 2, 2, a, 2, 1, b, 2, c, 1, accumulate: false));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 5)]
    [InlineData(33, 65)]
    [InlineData(100, 7)]
    [InlineData(64, 64)]
    [InlineData(70, 45)]
    public void TransposeSwapsRowsAndColumns(int rows, int cols)
    {
        float[] src = Enumerable.Range(0, rows * cols).Select(i => (float)i).ToArray();
        float[] dst = new float[rows * cols];
        Gemm.Transpose(src, rows, cols, dst);
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < cols; c++)
                Assert.Equal(r * cols + c, dst[c * rows + r]);
        }
    }

    private static void AssertRowsMatchSingleRowProducts(string path, int tallM, int n, int k, bool aTransposed, int[] rows)
    {
        var rng = new Random(tallM + n);
        float[] b = RandomFloats(rng, k * n);
        float[] tallA = RandomFloats(rng, tallM * k);
        (int rowStride, int colStride) = aTransposed ? (1, tallM) : (k, 1);
        float[] tallC = new float[tallM * n];
        Gemm.Multiply(Enum.Parse<GemmPath>(path), tallM, n, k, tallA, rowStride, colStride, b, n, tallC, n, accumulate: false);
        foreach (int row in rows)
        {
            float[] oneC = new float[n];
            Gemm.Multiply(Enum.Parse<GemmPath>(path), 1, n, k, tallA.AsSpan(row * rowStride), rowStride, colStride, b, n, oneC, n, accumulate: false);
            AssertBitwiseEqual(tallC.AsSpan(row * n, n), oneC, $"row {row} of M={tallM} (Aᵀ: {aTransposed}) against M=1");
        }
    }

    /// <summary>Shapes drawn from the odd sizes, capped so the scalar reference stays quick.</summary>
    private static IEnumerable<(int M, int N, int K)> OddShapes(int seed)
    {
        var rng = new Random(seed);
        int yielded = 0;
        while (yielded < 60)
        {
            int m = OddSizes[rng.Next(OddSizes.Length)], n = OddSizes[rng.Next(OddSizes.Length)], k = OddSizes[rng.Next(OddSizes.Length)];
            if ((long)m * n * k > 3_000_000)
                continue;
            yielded++;
            yield return (m, n, k);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void APackedBGivesTheReferencesBitsForOddShapesAndTheRecurrentOnes(string path)
    {
        // The recurrent products with their strided A and C, a K past one K block and an N past one N block.
        (int M, int N, int K, int ARowStride, int Ldc)[] recurrent =
            [(64, 1024, 256, 100 * 256, 100 * 1024), (64, 256, 1024, 100 * 1024, 256), (7, 3100, 300, 300, 3100)];
        var packed = new PackedB();
        foreach (var (m, n, k, aRowStride, ldc) in OddShapes(seed: 9).Select(s => (s.M, s.N, s.K, s.K + 3, s.N + 1)).Concat(recurrent))
        {
            foreach (bool accumulate in new[] { false, true })
            {
                var rng = new Random(m + 3 * n + 7 * k);
                float[] a = RandomFloats(rng, (m - 1) * aRowStride + k);
                float[] b = RandomFloats(rng, (k - 1) * (n + 2) + n);
                float[] expected = RandomFloats(rng, (m - 1) * ldc + n);
                float[] actual = (float[])expected.Clone();
                Gemm.MultiplyReference(m, n, k, a, aRowStride, 1, b, n + 2, expected, ldc, accumulate);
                packed.Pack(Enum.Parse<GemmPath>(path), b, k, n, n + 2);
                Gemm.Multiply(m, n, k, a, aRowStride, 1, packed, actual, ldc, accumulate);
                AssertBitwiseEqual(expected, actual, $"{path} packed B: M={m} N={n} K={k} accumulate={accumulate}");
            }
        }
    }

    [Fact]
    public void APackedBRefusesAProductOfAnotherShape()
    {
        var packed = new PackedB();
        packed.Pack(new float[12], 3, 4, 4);

        Assert.Throws<ArgumentException>(() => Gemm.Multiply(2, 3, 4, new float[8], 4, 1, packed, new float[6], 3, accumulate: false));
    }

    private static void AssertMatchesReference(
        string path, int m, int n, int k, int aRowStride, int aColStride, int ldb, int ldc, bool accumulate, int seed)
    {
        var rng = new Random(seed);
        float[] a = RandomFloats(rng, (m - 1) * aRowStride + (k - 1) * aColStride + 1);
        float[] b = RandomFloats(rng, (k - 1) * ldb + n);
        float[] expected = RandomFloats(rng, (m - 1) * ldc + n);
        float[] actual = (float[])expected.Clone();
        Gemm.MultiplyReference(m, n, k, a, aRowStride, aColStride, b, ldb, expected, ldc, accumulate);
        Gemm.Multiply(Enum.Parse<GemmPath>(path), m, n, k, a, aRowStride, aColStride, b, ldb, actual, ldc, accumulate);
        AssertBitwiseEqual(expected, actual,
            $"{path} M={m} N={n} K={k} A strides ({aRowStride}, {aColStride}) ldb={ldb} ldc={ldc} accumulate={accumulate}");
    }

    /// <summary>Values over several binades, so a product rounded before its add shows up in the low bits.</summary>
    private static float[] RandomFloats(Random rng, int count)
    {
        float[] values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)((rng.NextDouble() * 2 - 1) * System.Math.Pow(2, rng.Next(-6, 7)));
        return values;
    }

    private static void AssertBitwiseEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, the reference gives {expected[i]:R}.");
        }
    }
}
