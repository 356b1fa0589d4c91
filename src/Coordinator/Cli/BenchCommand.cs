using System.Globalization;
using System.Text.Json;
using Akka.Configuration;
using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// bench: one epoch of exactly --steps minibatches of random data shaped by the config's model, through the
/// same session as train, with no files written. The last line is a JSON object for scripts.
/// </summary>
internal static class BenchCommand
{
    /// <summary>Seeds the random inputs; any fixed value keeps runs comparable.</summary>
    private const ulong DataSeed = 0xBE4C;

    public static int Run(ParsedArgs args, CliContext context)
    {
        var options = BenchOptions.From(args);
        if (options.Cluster is not null)
            throw new NotSupportedException("bench --cluster is not available yet: the coordinator has no cluster session to run it");
        var config = ConfigLoader.Load(options.ConfigPath);
        var timesteps = options.Timesteps ?? (config.Data.Timesteps > 0
            ? config.Data.Timesteps
            : throw new InputException($"--timesteps: the config's data ({config.Data.Source.ToString().ToLowerInvariant()}) states no timesteps; give --timesteps"));
        var training = config.Training with { Epochs = 1 };
        var network = new Network(config.Model);
        var engine = new GradientEngine(network, training.Loss, training.TruncatedBptt);
        var samples = options.Steps * training.BatchSize;
        var job = TrainingJob.Create(config.Model, training, RandomSequences(samples, timesteps, network, engine, training.Loss), null);

        var result = TrainingSession.RunLocalAsync(job, options.Workers, options.Threads, null, ConfigurationFactory.Empty, context.Cancellation)
            .GetAwaiter().GetResult();
        var epoch = result.Epochs[^1];
        var report = new BenchReport(epoch.SeqPerSec, epoch.MsPerStep, network.ParameterCount, options.Steps, training.BatchSize,
            timesteps, epoch.Workers, options.Threads, options.Cluster is null ? null : epoch.SyncMsPerRound);

        if (!options.Quiet)
            context.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{report.Steps} steps of {report.BatchSize} x {report.Timesteps} timesteps on {report.Workers} worker(s): {report.SeqPerSec:0} seq/s, {report.MsPerStep:0.00} ms/step, {report.Parameters} parameters"));
        context.Stdout.WriteLine(JsonSerializer.Serialize(report, new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        }));
        return RnnClusterApp.Success;
    }

    /// <summary>Inputs uniform in [-1, 1); targets uniform in [0, 1), or uniform class indices for cross-entropy.</summary>
    private static SequenceSet RandomSequences(int samples, int timesteps, Network network, GradientEngine engine, LossKind loss)
    {
        var targets = engine.LossTermsPerSample(timesteps);
        var x = new float[samples * timesteps * network.InputSize];
        var y = new float[samples * targets];
        for (var i = 0; i < x.Length; i++) x[i] = 2f * CounterRandom.Uniform(DataSeed, 0, (ulong)i) - 1f;
        for (var i = 0; i < y.Length; i++)
        {
            var u = CounterRandom.Uniform(DataSeed, 1, (ulong)i);
            y[i] = loss == LossKind.CrossEntropy ? MathF.Floor(u * network.OutputSize) : u;
        }
        return new SequenceSet(x, y, samples, timesteps, network.InputSize, targets);
    }

    private sealed record BenchReport(double SeqPerSec, double MsPerStep, int Parameters, int Steps, int BatchSize,
        int Timesteps, int Workers, int Threads, double? SyncMsPerRound);
}
