namespace Rnn.Math.Kernels;

/// <summary>
/// The element-wise work at elements [j, j + count) of a row, written once for every lane width; count is
/// TV.Count but at the row's tail, where loads and stores pass it on (see <see cref="ILanes{TV}.Load"/>).
/// </summary>
internal interface IRowKernel
{
    void Run<TV>(nint j, int count)
        where TV : struct, ILanes<TV>;
}

/// <summary>The widest lanes a row may be run with; every width gives the bits of <see cref="Scalar"/>.</summary>
internal enum LaneWidth
{
    Scalar,
    Vector256,
    Vector512,
}

/// <summary>Runs a row kernel across a row in whole vectors of the widest lanes, then one masked vector for the tail.</summary>
internal static class Rows
{
    /// <summary>What this CPU runs; tests reach the narrower widths through the explicit overload.</summary>
    public static LaneWidth Widest { get; } =
        Lanes512.IsSupported ? LaneWidth.Vector512
        : Lanes256.IsSupported ? LaneWidth.Vector256
        : LaneWidth.Scalar;

    public static bool IsSupported(LaneWidth width) => width <= Widest;

    public static void Run<TKernel>(ref TKernel kernel, int length)
        where TKernel : struct, IRowKernel
        => Run(ref kernel, length, Widest);

    public static void Run<TKernel>(ref TKernel kernel, int length, LaneWidth widest)
        where TKernel : struct, IRowKernel
    {
        if (!IsSupported(widest))
            throw new PlatformNotSupportedException($"This CPU cannot run {widest} lanes.");
        switch (widest)
        {
            case LaneWidth.Vector512: RunLanes<TKernel, Lanes512>(ref kernel, length); break;
            case LaneWidth.Vector256: RunLanes<TKernel, Lanes256>(ref kernel, length); break;
            default: RunLanes<TKernel, Lane1>(ref kernel, length); break;
        }
    }

    private static void RunLanes<TKernel, TV>(ref TKernel kernel, int length)
        where TKernel : struct, IRowKernel
        where TV : struct, ILanes<TV>
    {
        nint j = 0;
        for (; j + TV.Count <= length; j += TV.Count)
            kernel.Run<TV>(j, TV.Count);
        if (j < length)
            kernel.Run<TV>(j, (int)(length - j));
    }
}
