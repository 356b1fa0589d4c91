using Rnn.Math.Kernels;

namespace RnnCluster.Tests.Kernels;

/// <summary>
/// The input side of the recurrent layers' gates, computed row by row, gives the bits of the product the
/// scalar reference defines followed by the two bias additions, at every width this CPU runs and for every
/// number of inputs it takes, and adds the biases alone to gates that already hold the product.
/// </summary>
public class InputProjectionTests
{
    private static readonly int[] Widths = [1, 7, 8, 15, 16, 17, 47, 150, 200];

    public static TheoryData<string> LaneWidths()
    {
        var widths = new TheoryData<string>();
        foreach (var width in Enum.GetValues<LaneWidth>())
        {
            if (Rows.IsSupported(width))
                widths.Add(width.ToString());
        }

        return widths;
    }

    [Theory]
    [MemberData(nameof(LaneWidths))]
    public unsafe void RowsGiveTheReferenceProductPlusTheBiases(string lanes)
    {
        foreach (int width in Widths)
        {
            for (int inputs = 0; inputs <= InputProjection.MaxRowInputs; inputs++)
            {
                foreach (bool secondBias in new[] { true, false })
                {
                    var random = new Random(width * 100 + inputs);
                    var buffers = new CellKernelTests.PinnedRows([inputs + 1, (inputs + 1) * width, width, width, width]);
                    buffers.Fill(random);
                    var (x, weightT, biasIh, biasHh, gates) = (buffers.Array(0), buffers.Array(1), buffers.Array(2), buffers.Array(3), buffers.Array(4));
                    var expected = new float[width];
                    if (inputs == 0) gates.AsSpan(0, width).CopyTo(expected);
                    else Gemm.MultiplyReference(1, width, inputs, x, inputs, 1, weightT, width, expected, width, accumulate: false);
                    for (int j = 0; j < width; j++)
                    {
                        expected[j] += biasIh[j];
                        if (secondBias) expected[j] += biasHh[j];
                    }

                    var kernel = new InputProjection(buffers[0], inputs, buffers[1], buffers[2], secondBias ? buffers[3] : null, buffers[4], width);
                    Rows.Run(ref kernel, width, Enum.Parse<LaneWidth>(lanes));

                    CellKernelTests.AssertSameBits(expected, gates[..width], $"{inputs} inputs, width {width}, {lanes}");
                    Assert.All(gates[width..], value => Assert.Equal(CellKernelTests.GuardValue, value));
                }
            }
        }
    }
}
