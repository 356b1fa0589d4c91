using BenchmarkDotNet.Attributes;
using Rnn.Math.Kernels;

namespace RnnCluster.Benchmarks.Kernels;

/// <summary>
/// One matrix product C (M, N) = A (M, K) · B (K, N) of the shapes a training step runs, on every instruction-set
/// path this CPU has. The recurrence shapes read A and write C with the strides of (n, T, ·) buffers, as the
/// layers do; a weight gradient reads A transposed in place.
/// </summary>
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    public static IEnumerable<GemmShape> Shapes() =>
    [
        new("LSTM(50) gates += h W_hh^T", 32, 200, 50, ARowStride: 50 * 50, AColStride: 1, Ldc: 50 * 200),
        new("LSTM(50) dh = dGates W_hh", 32, 50, 200, ARowStride: 50 * 200, AColStride: 1, Ldc: 50),
        new("LSTM(50) dW_hh += dGates^T h", 200, 50, 200, ARowStride: 1, AColStride: 200, Ldc: 50),
        new("LSTM(256) gates += h W_hh^T", 64, 1024, 256, ARowStride: 100 * 256, AColStride: 1, Ldc: 100 * 1024),
        new("LSTM(256) dh = dGates W_hh", 64, 256, 1024, ARowStride: 100 * 1024, AColStride: 1, Ldc: 256),
        new("LSTM(256) dW_hh += dGates^T h", 1024, 256, 400, ARowStride: 1, AColStride: 1024, Ldc: 256),
        new("contiguous", 64, 1024, 256, ARowStride: 256, AColStride: 1, Ldc: 1024),
        new("square", 1024, 1024, 1024, ARowStride: 1024, AColStride: 1, Ldc: 1024),
    ];

    public static IEnumerable<string> Paths()
        => Enum.GetValues<GemmPath>().Where(p => p != GemmPath.Scalar && Gemm.IsSupported(p)).Select(p => p.ToString());

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = Shapes().First();

    [ParamsSource(nameof(Paths))]
    public string Path { get; set; } = GemmPath.Vector512.ToString();

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        var s = Shape;
        _a = Filled(random, (s.M - 1) * s.ARowStride + (s.K - 1) * s.AColStride + 1);
        _b = Filled(random, s.K * s.N);
        _c = Filled(random, (s.M - 1) * s.Ldc + s.N);
    }

    [Benchmark]
    public void Multiply()
    {
        var s = Shape;
        Gemm.Multiply(Enum.Parse<GemmPath>(Path), s.M, s.N, s.K, _a, s.ARowStride, s.AColStride, _b, s.N, _c, s.Ldc, accumulate: false);
    }

    private static float[] Filled(Random random, int length)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = random.NextSingle() - 0.5f;
        return values;
    }
}

/// <summary>A product's shape and strides (see Gemm.Multiply); the dW shapes are one group of 4 samples.</summary>
public sealed record GemmShape(string Name, int M, int N, int K, int ARowStride, int AColStride, int Ldc) : ICountsFlops
{
    public double Flops(string method) => 2.0 * M * N * K;

    public override string ToString() => $"{Name} ({M}x{N}x{K})";
}
