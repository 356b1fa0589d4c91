using System.Globalization;
using Rnn.Math.Config;
using Rnn.Math.Data;
using RnnCluster.Coordinator.Bench;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// bench: --steps minibatches of random data shaped by the config, through the same actors as train, with no
/// files left behind (--mapped writes the data to a temporary file, removed at the end). The last line is a JSON
/// object for scripts.
/// </summary>
internal static class BenchCommand
{
    public static int Run(ParsedArgs args, CliContext context)
    {
        var configPath = args.RequiredFile("--config");
        var options = new BenchOptions(
            args.PositiveInt("--steps") ?? new BenchOptions().Steps,
            args.PositiveInt("--timesteps"),
            args.PositiveInt("--workers") ?? Environment.ProcessorCount,
            args.PositiveInt("--threads") ?? 1,
            args.Switch("--mapped"));
        var cluster = ClusterFlags.From(args);
        var config = ConfigLoader.Load(configPath);
        // A text model's sizes are its vocabulary's: the text is read for them, not trained on.
        if (TextCorpus.Of(config) is { } corpus) config = config with { Model = config.Model.WithVocabulary(corpus.Vocabulary.Count) };

        var result = (cluster is null
            ? BenchRunner.RunLocalAsync(config, options, context.Cancellation)
            : BenchRunner.RunClusterAsync(config, options, cluster, context.Cancellation)).GetAwaiter().GetResult();

        if (!args.Has("--quiet"))
            context.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{result.Steps} steps of {result.BatchSize} x {result.Timesteps} timesteps on {result.Workers} worker(s): " +
                $"{result.SeqPerSec:0} seq/s, {result.MsPerStep:0.00} ms/step, {result.Parameters} parameters"));
        context.Stdout.WriteLine(JsonLine.Of(result));
        return RnnClusterApp.Success;
    }
}
