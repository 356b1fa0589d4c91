using Rnn.Math.Kernels;

namespace RnnCluster.Tests.Kernels;

/// <summary>
/// The cells' exp, σ and tanh (scalar width, the reference) against double-precision math, over the whole range
/// an activation meets, and the wider lanes against the scalar bit for bit.
/// </summary>
public class ActivationTests
{
    // Float's spacing just below 1 is 2^-24 ≈ 6e-8; these bounds are a few of those, what Cephes' polynomials give.
    private const double ExpRelativeBound = 3e-7;
    private const double ActivationAbsoluteBound = 2e-7;

    private static IEnumerable<float> Inputs()
    {
        for (int i = -200_000; i <= 200_000; i++)
            yield return i * 5e-4f;
        foreach (float x in new[] { 0f, -0f, 1e-30f, -1e-30f, 0.625f, -0.625f, 0.62499994f, 87f, -87f, 88f, 88.5f, -90f, 1e4f, -1e4f })
            yield return x;
    }

    [Fact]
    public void ExpIsWithinAFewUlpsOfDoublePrecision()
    {
        foreach (float x in Inputs().Where(x => x is >= -87f and <= 88f))
        {
            double expected = System.Math.Exp(x);
            double actual = Activations.Exp(Lane1.Of(x)).Value;
            Assert.True(System.Math.Abs(actual - expected) <= ExpRelativeBound * expected, $"exp({x:R}) = {actual:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void SigmoidIsWithinTwoTenMillionthsOfDoublePrecision()
    {
        foreach (float x in Inputs())
        {
            double expected = 1 / (1 + System.Math.Exp(-(double)x));
            double actual = Activations.Sigmoid(Lane1.Of(x)).Value;
            Assert.True(System.Math.Abs(actual - expected) <= ActivationAbsoluteBound, $"σ({x:R}) = {actual:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void TanhIsWithinTwoTenMillionthsOfDoublePrecisionAndOdd()
    {
        foreach (float x in Inputs())
        {
            double expected = System.Math.Tanh(x);
            float actual = Activations.Tanh(Lane1.Of(x)).Value;
            Assert.True(System.Math.Abs(actual - expected) <= ActivationAbsoluteBound, $"tanh({x:R}) = {actual:R}, expected {expected:R}");
            Assert.Equal(-actual, Activations.Tanh(Lane1.Of(-x)).Value);
        }
    }

    [Fact]
    public void TanhOfATinyInputIsTheInputItself()
    {
        Assert.Equal(1e-30f, Activations.Tanh(Lane1.Of(1e-30f)).Value);
        Assert.Equal(-3e-6f, Activations.Tanh(Lane1.Of(-3e-6f)).Value);
    }

    [Theory]
    [MemberData(nameof(CellKernelTests.VectorWidths), MemberType = typeof(CellKernelTests))]
    public unsafe void EveryWidthGivesTheScalarBits(string width)
    {
        var inputs = Inputs().ToArray();
        foreach (var activation in new[] { ActivationRow.Kind.Exp, ActivationRow.Kind.Sigmoid, ActivationRow.Kind.Tanh })
        {
            var expected = new float[inputs.Length];
            var actual = new float[inputs.Length];
            fixed (float* x = inputs, e = expected, a = actual)
            {
                var reference = new ActivationRow(activation, x, e);
                Rows.Run(ref reference, inputs.Length, LaneWidth.Scalar);
                var vector = new ActivationRow(activation, x, a);
                Rows.Run(ref vector, inputs.Length, Enum.Parse<LaneWidth>(width));
            }
            CellKernelTests.AssertSameBits(expected, actual, $"{activation} at {width}");
        }
    }

    private readonly unsafe struct ActivationRow(ActivationRow.Kind kind, float* x, float* y) : IRowKernel
    {
        public enum Kind { Exp, Sigmoid, Tanh }

        public void Run<TV>(nint j, int count)
            where TV : struct, ILanes<TV>
        {
            var input = TV.Load(x + j, count);
            TV.Store(kind switch
            {
                Kind.Exp => Activations.Exp(input),
                Kind.Sigmoid => Activations.Sigmoid(input),
                _ => Activations.Tanh(input),
            }, y + j, count);
        }
    }
}
