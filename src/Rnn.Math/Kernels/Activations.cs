using System.Runtime.CompilerServices;

namespace Rnn.Math.Kernels;

/// <summary>
/// exp, the logistic sigmoid and tanh for the cell kernels, at any lane width (see <see cref="ILanes{TV}"/>):
/// Cephes' single-precision polynomials, evaluated with FMA. Their accuracy, against double-precision math,
/// is held by a test (a few units in the last place); System.Numerics.Tensors' versions are not used here
/// because they are free to change between releases and between widths, and the cells' bits must not.
/// </summary>
internal static class Activations
{
    // e^x is 2^n · e^r with n = round(x / ln 2) and r = x - n ln 2 in [-ln2/2, ln2/2]; ln 2 is split in two so
    // that n · Ln2High is exact. Outside [-87, 88] the result would leave the normal floats.
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;
    private const float ExpFloor = -87f;
    private const float ExpCeiling = 88f;

    // Below this |x| tanh is its odd polynomial; above, 1 - 2 / (e^2|x| + 1) loses nothing to cancellation.
    private const float TanhPolynomialBound = 0.625f;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TV>(TV x)
        where TV : struct, ILanes<TV>
    {
        x = TV.Min(TV.Max(x, TV.Of(ExpFloor)), TV.Of(ExpCeiling));
        var n = TV.Round(TV.Multiply(x, TV.Of(Log2E)));
        var r = TV.MultiplyAdd(n, TV.Of(-Ln2High), x);
        r = TV.MultiplyAdd(n, TV.Of(-Ln2Low), r);
        // e^r ≈ 1 + r + r² · P(r)
        var p = TV.Of(1.9875691500E-4f);
        p = TV.MultiplyAdd(p, r, TV.Of(1.3981999507E-3f));
        p = TV.MultiplyAdd(p, r, TV.Of(8.3334519073E-3f));
        p = TV.MultiplyAdd(p, r, TV.Of(4.1665795894E-2f));
        p = TV.MultiplyAdd(p, r, TV.Of(1.6666665459E-1f));
        p = TV.MultiplyAdd(p, r, TV.Of(5.0000001201E-1f));
        p = TV.Add(TV.MultiplyAdd(p, TV.Multiply(r, r), r), TV.Of(1f));
        return TV.Multiply(p, TV.Pow2(n));
    }

    /// <summary>σ(x) = 1 / (1 + e^-x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sigmoid<TV>(TV x)
        where TV : struct, ILanes<TV>
        => TV.Divide(TV.Of(1f), TV.Add(TV.Of(1f), Exp(TV.Subtract(TV.Of(0f), x))));

    /// <summary>tanh(x): both forms are computed and the element's own chosen, as a vector must.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<TV>(TV x)
        where TV : struct, ILanes<TV>
    {
        var a = TV.Abs(x);
        var z = TV.Multiply(x, x);
        var p = TV.Of(-5.70498872745E-3f);
        p = TV.MultiplyAdd(p, z, TV.Of(2.06390887954E-2f));
        p = TV.MultiplyAdd(p, z, TV.Of(-5.37397155531E-2f));
        p = TV.MultiplyAdd(p, z, TV.Of(1.33314422036E-1f));
        p = TV.MultiplyAdd(p, z, TV.Of(-3.33332819422E-1f));
        var small = TV.MultiplyAdd(TV.Multiply(p, z), x, x);
        var e = Exp(TV.Add(a, a));
        var large = TV.CopySign(TV.Subtract(TV.Of(1f), TV.Divide(TV.Of(2f), TV.Add(e, TV.Of(1f)))), x);
        return TV.SelectLess(a, TV.Of(TanhPolynomialBound), small, large);
    }

    /// <summary>dσ/dx from the output y: y · (1 - y).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV SigmoidSlope<TV>(TV y)
        where TV : struct, ILanes<TV>
        => TV.Multiply(y, TV.Subtract(TV.Of(1f), y));

    /// <summary>dtanh/dx from the output y: 1 - y².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV TanhSlope<TV>(TV y)
        where TV : struct, ILanes<TV>
        => TV.MultiplyAdd(TV.Subtract(TV.Of(0f), y), y, TV.Of(1f));
}
