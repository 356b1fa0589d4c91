using System.Runtime.InteropServices;
using Rnn.Math.Kernels;

namespace RnnCluster.Tests.Kernels;

/// <summary>
/// Every cell kernel at every vector width this CPU runs gives the scalar reference's bits, for row lengths
/// that leave every kind of tail, and writes nothing past its rows. Equal bits at every width mean a value
/// cannot depend on its position in a row, nor a sample's math on the shard it was computed in.
/// </summary>
public class CellKernelTests
{
    private const int Guard = 16;
    internal const float GuardValue = 12345.5f;
    private static readonly int[] RowLengths = [.. Enumerable.Range(1, 33), 47, 48, 50, 64, 100, 129];

    public static TheoryData<string> VectorWidths()
    {
        var widths = new TheoryData<string>();
        foreach (var width in new[] { LaneWidth.Vector256, LaneWidth.Vector512 })
        {
            if (Rows.IsSupported(width))
                widths.Add(width.ToString());
        }

        return widths;
    }

    [Theory]
    [MemberData(nameof(VectorWidths))]
    public unsafe void LstmForwardGivesTheScalarBits(string width)
        => AssertWidthGivesScalarBits(width, h => [4 * h, h, h, h, h],
            (b, h) => new LstmCell.Forward(b[0], b[1], b[2], b[3], b[4], h));

    [Theory]
    [MemberData(nameof(VectorWidths))]
    public unsafe void LstmBackwardGivesTheScalarBits(string width)
        => AssertWidthGivesScalarBits(width, h => [4 * h, h, h, h, h, 4 * h],
            (b, h) => new LstmCell.Backward(b[0], b[1], b[2], b[3], b[4], b[5], h));

    [Theory]
    [MemberData(nameof(VectorWidths))]
    public unsafe void GruForwardGivesTheScalarBits(string width)
        => AssertWidthGivesScalarBits(width, h => [3 * h, 3 * h, 3 * h, h, h, h],
            (b, h) => new GruCell.Forward(b[0], b[1], b[2], b[3], b[4], b[5], h));

    [Theory]
    [MemberData(nameof(VectorWidths))]
    public unsafe void GruBackwardGivesTheScalarBits(string width)
        => AssertWidthGivesScalarBits(width, h => [3 * h, h, h, h, 3 * h, 3 * h],
            (b, h) => new GruCell.Backward(b[0], b[1], b[2], b[3], b[4], b[5], h));

    [Theory]
    [MemberData(nameof(VectorWidths))]
    public unsafe void TanhCellGivesTheScalarBits(string width)
    {
        AssertWidthGivesScalarBits(width, h => [h, h], (b, h) => new TanhCell.Forward(b[0], b[1]));
        AssertWidthGivesScalarBits(width, h => [h, h, h], (b, h) => new TanhCell.Backward(b[0], b[1], b[2]));
    }

    [Fact]
    public unsafe void LstmForwardComputesThePyTorchCell()
    {
        // One unit, gates (i, f, g, o) pre-activations (0.5, -1, 2, 0), c_{t-1} = 0.3, worked in double precision.
        var buffers = new PinnedRows([4, 1, 1, 1, 1]);
        new[] { 0.5f, -1f, 2f, 0f }.CopyTo(buffers.Array(0), 0);
        buffers.Array(1)[0] = 0.3f;
        var kernel = new LstmCell.Forward(buffers[0], buffers[1], buffers[2], buffers[3], buffers[4], 1);
        Rows.Run(ref kernel, 1);
        double i = 1 / (1 + System.Math.Exp(-0.5)), f = 1 / (1 + System.Math.Exp(1)), g = System.Math.Tanh(2), o = 0.5;
        double c = f * 0.3 + i * g;
        Assert.Equal(c, buffers.Array(2)[0], 6);
        Assert.Equal(o * System.Math.Tanh(c), buffers.Array(4)[0], 6);
    }

    internal static void AssertSameBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}: element {i} is {actual[i]:R}, the scalar reference gives {expected[i]:R}");
        }
    }

    private unsafe delegate TKernel KernelOn<TKernel>(PinnedRows buffers, int units);

    private static unsafe void AssertWidthGivesScalarBits<TKernel>(string width, Func<int, int[]> sizes, KernelOn<TKernel> make)
        where TKernel : struct, IRowKernel
    {
        foreach (int units in RowLengths)
        {
            var random = new Random(units);
            var reference = new PinnedRows(sizes(units));
            reference.Fill(random);
            var vector = reference.Copy();

            var scalarKernel = make(reference, units);
            Rows.Run(ref scalarKernel, units, LaneWidth.Scalar);
            var vectorKernel = make(vector, units);
            Rows.Run(ref vectorKernel, units, Enum.Parse<LaneWidth>(width));

            for (int b = 0; b < reference.Count; b++)
            {
                AssertSameBits(reference.Array(b), vector.Array(b), $"{typeof(TKernel).Name} buffer {b}, H = {units}, {width}");
                Assert.All(vector.Array(b)[^Guard..], value => Assert.Equal(GuardValue, value));
            }
        }
    }

    /// <summary>Rows in pinned arrays, each followed by a guard that a kernel must not write.</summary>
    internal sealed class PinnedRows
    {
        private readonly float[][] _arrays;

        public PinnedRows(int[] lengths)
        {
            _arrays = lengths.Select(length => GC.AllocateArray<float>(length + Guard, pinned: true)).ToArray();
            foreach (var array in _arrays)
                array.AsSpan(array.Length - Guard).Fill(GuardValue);
        }

        private PinnedRows(float[][] arrays) => _arrays = arrays;

        public int Count => _arrays.Length;

        public unsafe float* this[int index] => (float*)Marshal.UnsafeAddrOfPinnedArrayElement(_arrays[index], 0);

        public float[] Array(int index) => _arrays[index];

        /// <summary>Values spread over both of tanh's forms and far into the saturated range.</summary>
        public void Fill(Random random)
        {
            foreach (var array in _arrays)
            {
                for (int i = 0; i < array.Length - Guard; i++)
                    array[i] = (float)(random.NextDouble() < 0.05 ? 60 * (random.NextDouble() - 0.5) : 3 * (random.NextDouble() - 0.5));
            }
        }

        public PinnedRows Copy()
            => new(_arrays.Select(array =>
            {
                var copy = GC.AllocateArray<float>(array.Length, pinned: true);
                array.CopyTo(copy, 0);
                return copy;
            }).ToArray());
    }
}
