using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Rnn.Math.Kernels;

/// <summary>
/// A row of floats seen <typeparamref name="TV"/>.Count at a time: 16 (AVX-512), 8 (AVX2 + FMA) or 1 (plain
/// scalar). Element-wise kernels are written once against this interface, so every width runs the same
/// operations on each element: every operation here is exact IEEE arithmetic (one rounding, FMA fused) or a
/// bit manipulation, never an approximation of the hardware's choosing (no rcp/rsqrt estimates). An
/// element's result is then the same bits whichever width computed it, so it cannot depend on where in a row
/// (or in a shard) the element sits; the scalar width is the reference the wider ones are tested against.
/// </summary>
internal interface ILanes<TV>
    where TV : struct, ILanes<TV>
{
    static abstract bool IsSupported { get; }

    static abstract int Count { get; }

    /// <summary>The first <paramref name="count"/> (1 to Count) lanes from source, the others zero: a row's tail loads
    /// only what is in the row.</summary>
    static abstract unsafe TV Load(float* source, int count);

    /// <summary>Writes the first <paramref name="count"/> lanes only.</summary>
    static abstract unsafe void Store(TV value, float* destination, int count);

    static abstract TV Of(float value);

    static abstract TV Add(TV a, TV b);

    static abstract TV Subtract(TV a, TV b);

    static abstract TV Multiply(TV a, TV b);

    static abstract TV Divide(TV a, TV b);

    /// <summary>a · b + c with one rounding.</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);

    /// <summary>x86's minps: a &lt; b ? a : b (b when either is NaN), one instruction at every width.</summary>
    static abstract TV Min(TV a, TV b);

    /// <summary>x86's maxps: a &gt; b ? a : b (b when either is NaN).</summary>
    static abstract TV Max(TV a, TV b);

    static abstract TV Abs(TV a);

    /// <summary>|magnitude| with the sign bit of <paramref name="sign"/>.</summary>
    static abstract TV CopySign(TV magnitude, TV sign);

    /// <summary>The nearest integer, ties to even.</summary>
    static abstract TV Round(TV a);

    /// <summary>2ⁿ for an integral n in [-126, 127], built from its exponent bits.</summary>
    static abstract TV Pow2(TV n);

    /// <summary>Per element: <paramref name="ifLess"/> where a &lt; limit, else <paramref name="otherwise"/>.</summary>
    static abstract TV SelectLess(TV a, TV limit, TV ifLess, TV otherwise);
}

/// <summary>One element at a time: the reference width, and the only one of a CPU without AVX2 and FMA.</summary>
internal readonly struct Lane1(float value) : ILanes<Lane1>
{
    private readonly float _value = value;

    public float Value => _value;

    public static bool IsSupported => true;

    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Lane1 Load(float* source, int count) => new(*source);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Lane1 value, float* destination, int count) => *destination = value._value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Of(float value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Add(Lane1 a, Lane1 b) => new(a._value + b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Subtract(Lane1 a, Lane1 b) => new(a._value - b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Multiply(Lane1 a, Lane1 b) => new(a._value * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Divide(Lane1 a, Lane1 b) => new(a._value / b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 MultiplyAdd(Lane1 a, Lane1 b, Lane1 c) => new(MathF.FusedMultiplyAdd(a._value, b._value, c._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Min(Lane1 a, Lane1 b) => new(a._value < b._value ? a._value : b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Max(Lane1 a, Lane1 b) => new(a._value > b._value ? a._value : b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Abs(Lane1 a) => new(MathF.Abs(a._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 CopySign(Lane1 magnitude, Lane1 sign) => new(MathF.CopySign(magnitude._value, sign._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Round(Lane1 a) => new(MathF.Round(a._value, MidpointRounding.ToEven));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Pow2(Lane1 n) => new(BitConverter.Int32BitsToSingle(((int)n._value + 127) << 23));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 SelectLess(Lane1 a, Lane1 limit, Lane1 ifLess, Lane1 otherwise) => a._value < limit._value ? ifLess : otherwise;
}

/// <summary>Eight elements in an AVX register; needs FMA so that <see cref="MultiplyAdd"/> is one instruction.</summary>
internal readonly struct Lanes256(Vector256<float> value) : ILanes<Lanes256>
{
    private readonly Vector256<float> _value = value;

    public static bool IsSupported => Vector256.IsHardwareAccelerated && Fma.IsSupported;

    public static int Count => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Lanes256 Load(float* source, int count)
        => new(count == 8 ? Vector256.Load(source) : Avx.MaskLoad(source, Mask(count)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Lanes256 value, float* destination, int count)
    {
        if (count == 8) value._value.Store(destination);
        else Avx.MaskStore(destination, Mask(count), value._value);
    }

    private static Vector256<float> Mask(int count) => Vector256.LessThan(Vector256<int>.Indices, Vector256.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Of(float value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Add(Lanes256 a, Lanes256 b) => new(a._value + b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Subtract(Lanes256 a, Lanes256 b) => new(a._value - b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Multiply(Lanes256 a, Lanes256 b) => new(a._value * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Divide(Lanes256 a, Lanes256 b) => new(a._value / b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 MultiplyAdd(Lanes256 a, Lanes256 b, Lanes256 c) => new(Vector256.FusedMultiplyAdd(a._value, b._value, c._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Min(Lanes256 a, Lanes256 b) => new(Vector256.MinNative(a._value, b._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Max(Lanes256 a, Lanes256 b) => new(Vector256.MaxNative(a._value, b._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Abs(Lanes256 a) => new(Vector256.Abs(a._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 CopySign(Lanes256 magnitude, Lanes256 sign) => new(Vector256.CopySign(magnitude._value, sign._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Round(Lanes256 a) => new(Vector256.Round(a._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Pow2(Lanes256 n)
        => new(Vector256.ShiftLeft(Vector256.ConvertToInt32Native(n._value) + Vector256.Create(127), 23).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 SelectLess(Lanes256 a, Lanes256 limit, Lanes256 ifLess, Lanes256 otherwise)
        => new(Vector256.ConditionalSelect(Vector256.LessThan(a._value, limit._value), ifLess._value, otherwise._value));
}

/// <summary>Sixteen elements in an AVX-512 register.</summary>
internal readonly struct Lanes512(Vector512<float> value) : ILanes<Lanes512>
{
    private readonly Vector512<float> _value = value;

    public static bool IsSupported => Vector512.IsHardwareAccelerated && Avx512F.IsSupported;

    public static int Count => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Lanes512 Load(float* source, int count)
        => new(count == 16 ? Vector512.Load(source) : Avx512F.MaskLoad(source, Mask(count), Vector512<float>.Zero));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Lanes512 value, float* destination, int count)
    {
        if (count == 16) value._value.Store(destination);
        else Avx512F.MaskStore(destination, Mask(count), value._value);
    }

    private static Vector512<float> Mask(int count) => Vector512.LessThan(Vector512<int>.Indices, Vector512.Create(count)).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Of(float value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Add(Lanes512 a, Lanes512 b) => new(a._value + b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Subtract(Lanes512 a, Lanes512 b) => new(a._value - b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Multiply(Lanes512 a, Lanes512 b) => new(a._value * b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Divide(Lanes512 a, Lanes512 b) => new(a._value / b._value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 MultiplyAdd(Lanes512 a, Lanes512 b, Lanes512 c) => new(Vector512.FusedMultiplyAdd(a._value, b._value, c._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Min(Lanes512 a, Lanes512 b) => new(Vector512.MinNative(a._value, b._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Max(Lanes512 a, Lanes512 b) => new(Vector512.MaxNative(a._value, b._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Abs(Lanes512 a) => new(Vector512.Abs(a._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 CopySign(Lanes512 magnitude, Lanes512 sign) => new(Vector512.CopySign(magnitude._value, sign._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Round(Lanes512 a) => new(Vector512.Round(a._value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Pow2(Lanes512 n)
        => new(Vector512.ShiftLeft(Vector512.ConvertToInt32Native(n._value) + Vector512.Create(127), 23).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 SelectLess(Lanes512 a, Lanes512 limit, Lanes512 ifLess, Lanes512 otherwise)
        => new(Vector512.ConditionalSelect(Vector512.LessThan(a._value, limit._value), ifLess._value, otherwise._value));
}
