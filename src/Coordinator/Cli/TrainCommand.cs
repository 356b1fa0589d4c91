using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Weights;
using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Coordinator.Dashboard;
using RnnCluster.Coordinator.Output;
using RnnCluster.Coordinator.Plots;
using RnnCluster.Coordinator.Progress;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// train: checks every input before any work starts (config, data, --init-weights, the checkpoint to resume
/// from, and whether this machine can hold the run: <see cref="MemoryBudget"/>, before the data's arrays are
/// made), starts the session, and only once it is up writes into the output folder: the config as run,
/// metrics.jsonl, checkpoints. Only when the run has succeeded does it write the model files, each atomically.
/// A stopped run (SIGTERM, Ctrl+C) or a failed one says where its checkpoint is and how to go on, and exits 1.
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
        var written = new RunData(options.OutDir);
        try
        {
            return Train(options, args, context, written);
        }
        catch when (!written.InUse)
        {
            written.Remove();
            throw;
        }
    }

    private static int Train(TrainOptions options, ParsedArgs args, CliContext context, RunData written)
    {
        var config = ConfigLoader.Load(options.ConfigPath);
        if (options.Epochs is { } overridden) config = config with { Training = config.Training with { Epochs = overridden } };
        if (Metrics.Warning(config.Training.Metrics, config.Training.Loss) is { } warning) context.Stderr.WriteLine(warning);
        var configJson = ConfigJson(options, config);
        var corpus = TextCorpus.Of(config);
        if (corpus is not null) config = config with { Model = config.Model.WithVocabulary(corpus.Vocabulary.Count) };
        var network = new Network(config.Model);
        int localWorkers = options.Cluster is null ? options.Workers : 0;
        var folder = CheckpointFolder.Of(options.OutDir);
        if (!options.Resume) ResumePoint.RequireFresh(folder, options.OutDir);
        var dataset = DatasetLoader.Load(config, size => MemoryBudget.Require(config, network, size, localWorkers, 1, MemoryEstimate.MachineBytes, workersMapData: true),
            corpus, written.Path);
        OutputCheck.Require(dataset, network.OutputSize, network.OutputIsSequence, config.Training.Loss);
        var initial = options.InitWeights is { } init ? ModelWeights.Load(init, network, "--init-weights") : null;
        var job = TrainingJob.Create(config.Model, config.Training, Part(dataset, 0, dataset.TrainCount),
            dataset.ValidationCount > 0 ? Part(dataset, dataset.TrainCount, dataset.ValidationCount) : null, initial, network);
        var epochs = config.Training.Epochs;
        var checkpoints = new CheckpointPolicy(folder, RunFingerprint.Of(config, job), options.CheckpointEvery);
        var start = options.Resume
            ? ResumePoint.Load(options.OutDir, checkpoints, job, epochs, context.Stderr)
            : TrainingState.Initial(job);
        if (options.Resume && !options.Quiet) context.Stdout.WriteLine($"resuming from {checkpoints.Folder.Latest}");

        using var dashboard = options.Dashboard is { } address ? RunDashboard.Start(address, TimeProvider.System, context.Stderr) : null;
        if (dashboard is not null) context.Stdout.WriteLine($"dashboard: {dashboard.Url}");
        var display = TrainingDisplay.For(context.Stdout, options.Quiet);
        ISessionObserver observer = new RunObserver(display, () =>
        {
            written.InUse = true;
            return PrepareFolder(options.OutDir, configJson, start.History);
        }, epochs, options.Cluster is not null);
        if (dashboard is not null) observer = new ObserverGroup(observer, new DashboardObserver(dashboard, Describe(options, job, configJson, start.History)));
        TrainingSummary? summary = null;
        var session = new SessionOptions(start, checkpoints, observer)
        {
            Faults = TestFaults.Parse(args.Variable(TestFaults.Variable)),
            Finishing = result => summary = Keep(result),
        };
        try
        {
            display.Show(epochs, start.Epoch, () => options.Cluster is { } cluster
                    ? TrainingSession.RunClusterAsync(job, cluster, session, context.Cancellation)
                    : TrainingSession.RunLocalAsync(job, new LocalOptions(options.Workers), session, context.Cancellation))
                .GetAwaiter().GetResult();
        }
        catch (TrainingStoppedException stopped)
        {
            dashboard?.Post(new RunEnded(RunOutcome.Stopped, stopped.Checkpoint is { } at ? $"checkpoint {at}" : null));
            ResumeCommand.ReportStopped(context.Stderr, options, stopped, EpochPlan.MinibatchesOf(job.Train.Samples, job.Training.BatchSize));
            return RnnClusterApp.Failure;
        }
        catch (TrainingFailedException failed)
        {
            dashboard?.Post(new RunEnded(RunOutcome.Failed, failed.Message));
            ResumeCommand.ReportFailed(context.Stderr, options, failed);
            return RnnClusterApp.Failure;
        }
        dashboard?.Post(new RunEnded(RunOutcome.Finished, null));

        var scores = EpochLine.Figures(summary!.Loss, summary.ValLoss, summary.Metrics);
        var early = summary.StoppedEpoch is { } after ? $" (stopped early after epoch {after}; best epoch {summary.BestEpoch})" : "";
        context.Stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"trained {summary.Epochs} epoch{(summary.Epochs == 1 ? "" : "s")} in {summary.Seconds:0.0}s{early}: {scores}; model in {options.OutDir}"));
        return RnnClusterApp.Success;

        // The run's results, written while the session still holds its workers (SessionOptions.Finishing).
        TrainingSummary Keep(TrainingResult result)
        {
            var history = result.Epochs;
            var stopping = result.State.Stopping;
            ModelWeights.Save(Path.Combine(options.OutDir, ModelWeights.FileName), network, stopping.BestWeights ?? result.Weights);
            var last = history[^1];
            var kept = new TrainingSummary(history.Count, last.Loss, last.ValLoss, result.State.TrainingSeconds, last.Workers, network.ParameterCount, last.Metrics,
                config.Training.EarlyStopping is null ? null : stopping.BestEpoch, stopping.StoppedEpoch);
            new ModelManifest(configJson, config.Data.Columns, config.Data.Target, config.Data.Timesteps, config.Data.Horizon,
                ScalingEntry.From(config.Data.Normalize, dataset.Scaling), kept) { Vocabulary = corpus?.Vocabulary }.Save(options.OutDir);
            var hasValidation = history.All(h => h.ValLoss is not null);
            LossPlot.Save(Path.Combine(options.OutDir, "loss.png"), history.Select(h => h.Loss).ToList(),
                hasValidation ? history.Select(h => h.ValLoss!.Value).ToList() : null, config.Training.Loss.ToString().ToLowerInvariant());
            return kept;
        }
    }

    /// <summary>What the dashboard shows of the run from its start.</summary>
    private static RunDescribed Describe(TrainOptions options, TrainingJob job, JsonObject configJson, IReadOnlyList<EpochMetrics> earlier) =>
        new(options.Cluster is null ? RunDescribed.Local : RunDescribed.Cluster, options.OutDir, job.Training.Epochs, job.Train.Samples,
            job.Training.BatchSize, JsonSerializer.SerializeToElement(configJson), earlier);

    /// <summary>The session is up: the folder gets the config as run, and metrics.jsonl goes on from the start state's history.</summary>
    private static MetricsLog PrepareFolder(string outDir, JsonObject configJson, IReadOnlyList<EpochMetrics> history)
    {
        Directory.CreateDirectory(outDir);
        AtomicFile.WriteAllText(Path.Combine(outDir, TrainOptions.SavedConfigName), configJson.ToJsonString(Indented) + "\n");
        return new MetricsLog(outDir, history);
    }

    /// <summary>
    /// The config as the user wrote it, with --epochs applied and the data's path made absolute, to keep beside
    /// the model: a resume reads it from the run folder, where a relative path would no longer lead to the data.
    /// </summary>
    private static JsonObject ConfigJson(TrainOptions options, RunConfig config)
    {
        var node = (JsonObject)JsonNode.Parse(File.ReadAllText(options.ConfigPath), documentOptions: Lenient)!;
        if (options.Epochs is { } epochs)
        {
            if (node["training"] is not JsonObject training) node["training"] = training = new JsonObject();
            training["epochs"] = epochs;
        }
        if (config.Data.Path is { } path && node["data"] is JsonObject data)
        {
            data["path"] = Path.GetFullPath(Path.Combine(config.BaseDirectory, path));
            if (config.Data.ValidationPath is { } validation) data["validationPath"] = Path.GetFullPath(Path.Combine(config.BaseDirectory, validation));
        }
        return node;
    }

    private static SequenceSet Part(Dataset dataset, int first, int count) =>
        SequenceSet.Slice(dataset.X, dataset.Y, dataset.Lengths, first, count, dataset.Timesteps, dataset.Features, dataset.TargetsPerSample, dataset.MappedFile);

    /// <summary>
    /// The run's copy of its data, `data.safetensors` in the run folder, when the data is not a safetensors file of
    /// float32 x and y already: written as the data is loaded (CSV and text windows one at a time, never built
    /// whole) and mapped, so the workers that can read it at this path map it instead of being sent a copy. A run
    /// that stops before its session is up (bad input, a node that cannot start) removes it again, and the run
    /// folder if it made it: it leaves nothing written.
    /// </summary>
    private sealed class RunData(string runFolder)
    {
        public const string FileName = "data.safetensors";

        private readonly bool _folderExisted = Directory.Exists(runFolder);
        private readonly bool _fileExisted = File.Exists(System.IO.Path.Combine(runFolder, FileName));

        public string Path { get; } = System.IO.Path.GetFullPath(System.IO.Path.Combine(runFolder, FileName));

        /// <summary>Set once the session is up: from then on the file is the run's.</summary>
        public bool InUse { get; set; }

        public void Remove()
        {
            if (!_fileExisted && File.Exists(Path)) File.Delete(Path);
            if (!_folderExisted && Directory.Exists(runFolder) && !Directory.EnumerateFileSystemEntries(runFolder).Any()) Directory.Delete(runFolder);
        }
    }
}
