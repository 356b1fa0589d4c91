using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.LayerTypes;
using Rnn.Math.Model;
using Rnn.Math.Weights;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Coordinator.Bench;

/// <summary>
/// `bench` flags: minibatches to time, an optional sequence length, the workers and their threads, and whether the data
/// is read from a file mapped in place (as `train` reads its data) rather than from arrays.
/// </summary>
public sealed record BenchOptions(int Steps = 20, int? Timesteps = null, int Workers = 1, int Threads = 1, bool Mapped = false);

/// <summary>
/// The last line `bench` prints. Times are over the measured steps, the first (warm-up) step excluded;
/// <see cref="SyncMsPerRound"/> is a round's time minus its slowest worker's compute. <see cref="PeakRssMb"/> is this
/// process's peak resident memory (in local mode its workers' too; a cluster's workers each print theirs when the
/// job finishes).
/// </summary>
public sealed record BenchResult(double SeqPerSec, double MsPerStep, int Parameters, double SyncMsPerRound, int Workers, int Steps, int Timesteps, int BatchSize,
    double PeakRssMb);

/// <summary>Trains `--steps` minibatches of random data shaped by the config, through the same actors as `train`.</summary>
public static class BenchRunner
{
    public static async Task<BenchResult> RunLocalAsync(RunConfig config, BenchOptions options, CancellationToken cancellation = default)
    {
        using var data = new BenchData(options.Mapped);
        var job = data.Of(RandomJob(config, options, options.Workers));
        var result = await TrainingSession.RunLocalAsync(job, new LocalOptions(options.Workers, options.Threads), SessionOptions.Default, cancellation);
        return Summarise(job, options, result);
    }

    public static async Task<BenchResult> RunClusterAsync(RunConfig config, BenchOptions options, ClusterOptions cluster, CancellationToken cancellation = default)
    {
        using var data = new BenchData(options.Mapped);
        var job = data.Of(RandomJob(config, options, 0));
        var result = await TrainingSession.RunClusterAsync(job, cluster, cancellation: cancellation);
        return Summarise(job, options, result);
    }

    /// <summary>
    /// With --mapped, the job's random x and y written once to a temporary safetensors file and mapped, so the steps
    /// read them as `train` reads a file (and a cluster's workers on this machine map the same file); removed when
    /// the bench ends. Without it, the arrays as they are.
    /// </summary>
    private sealed class BenchData(bool mapped) : IDisposable
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), $"rnn-bench-{Guid.NewGuid():N}.safetensors");

        public TrainingJob Of(TrainingJob job)
        {
            if (!mapped) return job;
            var set = job.Train;
            SafeTensors.Write(_path, [
                new NamedTensor("x", [set.Samples, set.Timesteps, set.InputSize], set.X),
                new NamedTensor("y", [set.Samples, set.TargetsPerSample], set.Y)]);
            var file = SafeTensors.Map(_path);
            return job with
            {
                Train = SequenceSet.Slice(file.Get("x").Data, file.Get("y").Data, null, 0, set.Samples, set.Timesteps, set.InputSize, set.TargetsPerSample, _path)
                    with { SampleTerms = set.SampleTerms },
            };
        }

        public void Dispose()
        {
            if (File.Exists(_path)) File.Delete(_path);
        }
    }

    /// <summary>
    /// Steps + 1 minibatches (the first warms up), one epoch, no validation; targets valid for the loss. What this
    /// process cannot hold (with <paramref name="localWorkers"/> workers in it) is refused before it is allocated.
    /// </summary>
    private static TrainingJob RandomJob(RunConfig config, BenchOptions options, int localWorkers)
    {
        if (options.Steps < 1) throw new InputException($"--steps: expected a positive integer, got {options.Steps}");
        int timesteps = options.Timesteps ?? config.Data.Timesteps;
        if (timesteps < 1) throw new InputException($"--timesteps: expected a positive integer (the config's data.timesteps is {config.Data.Timesteps})");
        var network = new Network(config.Model);
        var engine = new GradientEngine(network, config.Training.Loss, config.Training.TruncatedBptt);
        long wanted = (long)(options.Steps + 1) * config.Training.BatchSize;
        if (wanted > int.MaxValue)
            throw new InputException($"--steps: {options.Steps} minibatches of training.batchSize {config.Training.BatchSize} are {wanted:N0} samples, more than one dataset holds");
        int samples = (int)wanted, targets = engine.LossTermsPerSample(timesteps);
        MemoryBudget.Require(config, network, new DatasetSize(samples, samples, timesteps, network.InputSize), localWorkers, options.Threads, MemoryEstimate.MachineBytes);
        var random = new Random(1);
        var x = new float[samples * timesteps * network.InputSize];
        // A model that starts with an embedding reads token ids: random rows of it.
        int vocabulary = config.Model.Layers[0] is EmbeddingConfig embedding ? embedding.InputDim : 0;
        for (int i = 0; i < x.Length; i++) x[i] = vocabulary > 0 ? random.Next(vocabulary) : random.NextSingle() * 2 - 1;
        var y = new float[samples * targets];
        for (int i = 0; i < y.Length; i++)
            y[i] = config.Training.Loss == LossKind.CrossEntropy ? random.Next(network.OutputSize) : random.NextSingle();
        // Uniform weights, as PyTorch initialises its recurrent layers, instead of the model's own initialiser: a
        // step's time does not depend on the values, and the orthogonal recurrent kernel's QR alone took minutes of
        // CPU for LSTM(3540) (50M parameters), the size the sync benchmark runs (docs/PERFORMANCE.md).
        var weights = new float[network.ParameterCount];
        for (int i = 0; i < weights.Length; i++) weights[i] = (random.NextSingle() * 2 - 1) * 0.05f;
        var training = config.Training with { Epochs = 1 };
        return TrainingJob.Create(config.Model, training, new SequenceSet(x, y, samples, timesteps, network.InputSize, targets), null, weights, network);
    }

    private static BenchResult Summarise(TrainingJob job, BenchOptions options, TrainingResult result)
    {
        var measured = result.Rounds.Skip(1).ToList();
        double msPerStep = measured.Average(r => r.RoundMs);
        return new BenchResult(
            SeqPerSec: job.Training.BatchSize * 1000.0 / msPerStep,
            MsPerStep: msPerStep,
            Parameters: job.InitialWeights.Length,
            SyncMsPerRound: measured.Average(r => r.RoundMs - r.SlowestComputeMs),
            Workers: result.Epochs[^1].Workers,
            Steps: measured.Count,
            Timesteps: job.Train.Timesteps,
            BatchSize: job.Training.BatchSize,
            PeakRssMb: ProcessMemory.PeakResidentBytes() / 1e6);
    }
}
