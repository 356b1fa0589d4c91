using BenchmarkDotNet.Attributes;
using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;

namespace RnnCluster.Benchmarks.Training;

/// <summary>
/// One worker thread's share of a training step: the forward pass alone (with the loss, as validation runs it)
/// and forward plus BPTT with per-group gradients (as a worker computes a shard), for RNN(H)-Dropout(0.2)-Dense(1)
/// on (B, T, 1) sequences, groups of 4, as `bench` trains. The actors and the optimizer are not in it.
/// </summary>
public class RecurrentStepBenchmarks
{
    private const int GroupSize = 4;

    private GradientEngine _engine = null!;
    private float[] _parameters = [];
    private ShardInput _shard = null!;
    private float[][] _gradients = [];
    private LossSums[] _losses = [];

    public static IEnumerable<StepShape> Shapes() =>
    [
        new(new LstmConfig(50), Timesteps: 50, Batch: 32),
        new(new GruConfig(50), Timesteps: 50, Batch: 32),
        new(new LstmConfig(256), Timesteps: 100, Batch: 64),
        new(new GruConfig(256), Timesteps: 100, Batch: 64),
    ];

    [ParamsSource(nameof(Shapes))]
    public StepShape Step { get; set; } = Shapes().First();

    [GlobalSetup]
    public void Setup()
    {
        var s = Step;
        var model = new ModelConfig(1, [s.Cell, new DropoutConfig(0.2f), new DenseConfig(1)]);
        var network = new Network(model);
        _engine = new GradientEngine(network, LossKind.Mse, truncatedBptt: 0);
        _parameters = new float[network.ParameterCount];
        network.Initialize(_parameters, seed: 42);
        var random = new Random(1);
        var x = new float[s.Batch * s.Timesteps];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() * 2 - 1;
        var y = new float[s.Batch];
        for (int i = 0; i < y.Length; i++) y[i] = random.NextSingle();
        _shard = new ShardInput(x, y, Enumerable.Range(0, s.Batch).ToArray(), s.Batch, s.Timesteps);
        int groups = (s.Batch + GroupSize - 1) / GroupSize;
        _gradients = Enumerable.Range(0, groups).Select(_ => new float[network.ParameterCount]).ToArray();
        _losses = new LossSums[groups];
    }

    [Benchmark]
    public void Forward() => _engine.EvaluateGroups(_parameters, _shard, GroupSize, _losses);

    [Benchmark]
    public void ForwardBackward()
        => _engine.ComputeGroups(_parameters, _shard, GroupSize, 1f / Step.Batch, new DropoutKey(1, 0), _gradients, _losses);
}

/// <summary>The cell and the (B, T) of the sequences; the FLOP count is of the matrix products only.</summary>
public sealed record StepShape(RecurrentConfig Cell, int Timesteps, int Batch) : ICountsFlops
{

    /// <summary>
    /// Forward: the recurrence, 2·B·T·H·GH (the input projection of one feature and the dense head are noise);
    /// backward adds dh = dGates·W_hh and dW_hh = Σ dGatesᵀ h, the same again each.
    /// </summary>
    public double Flops(string method)
    {
        double recurrence = 2.0 * Batch * Timesteps * Cell.Units * Cell.Gates * Cell.Units;
        return method == nameof(RecurrentStepBenchmarks.Forward) ? recurrence : 3 * recurrence;
    }

    public override string ToString() => $"{Cell.TypeName}({Cell.Units}) T={Timesteps} B={Batch}";
}
