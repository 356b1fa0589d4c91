using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Model;
using RnnCluster.Coordinator.Output;
using RnnCluster.Coordinator.Plots;
using RnnCluster.Coordinator.Progress;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// train: checks every input before any work starts (config, data, --init-weights), trains, and only when
/// the run has succeeded writes the model files, each atomically. Until then the output folder gets only
/// the config as run and metrics.jsonl.
/// </summary>
internal static class TrainCommand
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Whatever the config loader accepted must parse here too.</summary>
    private static readonly JsonDocumentOptions Lenient = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static int Run(ParsedArgs args, CliContext context)
    {
        var options = TrainOptions.From(args, DateTime.Now);
        var config = ConfigLoader.Load(options.ConfigPath);
        var configJson = ConfigJson(options);
        if (options.Epochs is { } overridden) config = config with { Training = config.Training with { Epochs = overridden } };
        var dataset = DatasetLoader.Load(config);
        var network = new Network(config.Model);
        OutputCheck.Require(dataset, network.OutputSize, network.OutputIsSequence, config.Training.Loss);
        var initial = options.InitWeights is { } init ? ModelWeights.Load(init, network, "--init-weights") : null;
        var job = TrainingJob.Create(config.Model, config.Training, Part(dataset, 0, dataset.TrainCount),
            dataset.ValidationCount > 0 ? Part(dataset, dataset.TrainCount, dataset.ValidationCount) : null, initial);

        Directory.CreateDirectory(options.OutDir);
        AtomicFile.WriteAllText(Path.Combine(options.OutDir, TrainOptions.SavedConfigName), configJson.ToJsonString(Indented) + "\n");
        var display = TrainingDisplay.For(context.Stdout, options.Quiet);
        var metrics = new MetricsLog(options.OutDir);
        var epochs = config.Training.Epochs;
        var clock = Stopwatch.StartNew();
        var observer = new RunObserver(display, metrics, epochs, context.Cancellation);
        var result = display.Show(epochs, () => options.Cluster is { } cluster
                ? TrainingSession.RunClusterAsync(job, cluster, observer, context.Cancellation)
                : TrainingSession.RunLocalAsync(job, options.Workers, observer, context.Cancellation))
            .GetAwaiter().GetResult();
        var history = result.Epochs;

        ModelWeights.Save(Path.Combine(options.OutDir, ModelWeights.FileName), network, result.Weights);
        var last = history[^1];
        var summary = new TrainingSummary(config.Training.Epochs, last.Loss, last.ValLoss, clock.Elapsed.TotalSeconds, last.Workers, network.ParameterCount);
        new ModelManifest(configJson, config.Data.Columns, config.Data.Target, config.Data.Timesteps, config.Data.Horizon,
            ScalingEntry.From(config.Data.Normalize, dataset.Scaling), summary).Save(options.OutDir);
        var hasValidation = history.All(h => h.ValLoss is not null);
        LossPlot.Save(Path.Combine(options.OutDir, "loss.png"), history.Select(h => h.Loss).ToList(),
            hasValidation ? history.Select(h => h.ValLoss!.Value).ToList() : null, config.Training.Loss.ToString().ToLowerInvariant());

        var valLoss = summary.ValLoss is { } v ? $"  val_loss {EpochLine.Loss(v)}" : "";
        context.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained {summary.Epochs} epoch{(summary.Epochs == 1 ? "" : "s")} in {summary.Seconds:0.0}s: loss {EpochLine.Loss(summary.Loss)}{valLoss}; model in {options.OutDir}"));
        return RnnClusterApp.Success;
    }

    /// <summary>The config as the user wrote it, with --epochs applied, to keep beside the model.</summary>
    private static JsonObject ConfigJson(TrainOptions options)
    {
        var node = (JsonObject)JsonNode.Parse(File.ReadAllText(options.ConfigPath), documentOptions: Lenient)!;
        if (options.Epochs is { } epochs)
        {
            if (node["training"] is not JsonObject training) node["training"] = training = new JsonObject();
            training["epochs"] = epochs;
        }
        return node;
    }

    private static SequenceSet Part(Dataset dataset, int first, int count)
    {
        var xSize = dataset.Timesteps * dataset.Features;
        var ySize = dataset.TargetsPerSample;
        return new SequenceSet(dataset.X.AsSpan(first * xSize, count * xSize).ToArray(), dataset.Y.AsSpan(first * ySize, count * ySize).ToArray(),
            count, dataset.Timesteps, dataset.Features, ySize);
    }
}
