using System.Collections;
using System.Text.Json.Nodes;
using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Coordinator.Output;
using RnnCluster.Coordinator.Training;

namespace RnnCluster;

/// <summary>
/// A stack of layers trained as <c>rnn-cluster train</c> trains a config: the model, <see cref="Compile"/>'s
/// choices and <see cref="FitAsync(float[,,], float[,], int, int, double, bool, FitOptions?, IProgress{EpochProgress}?, IEnumerable{Callback}?, CancellationToken)"/>'s
/// arguments become that config and go through the same loader and the same training session, so the weights
/// are the same bits as the CLI's for the same config and data, on any number of workers.
/// </summary>
public sealed class Sequential : IEnumerable<Layer>
{
    /// <summary>Stands in the saved config for the arrays a fit was given (there is no data file to name).</summary>
    private const string ArraysPath = "(arrays given to FitAsync)";

    private readonly List<Layer> _layers = [];
    private JsonObject? _training;
    private Fitted? _fitted;

    /// <summary>A fitted (or loaded) model: what it predicts with, and what Save writes beside its weights.</summary>
    private sealed record Fitted(TrainedModel Model, JsonObject Config, TrainingSummary Summary);

    /// <param name="inputSize">Features per timestep (for an <see cref="Embedding"/> first layer: 1, the token id).</param>
    public Sequential(int inputSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        InputSize = inputSize;
    }

    /// <summary>Features per timestep.</summary>
    public int InputSize { get; }

    /// <summary>The layers, first to last.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Whether <see cref="Compile"/> has been called (or the model was loaded).</summary>
    public bool IsCompiled => _training is not null;

    /// <summary>
    /// Adds <paramref name="layer"/> on top. A recurrent layer needs a sequence, so it cannot follow one that
    /// returns only its last state; an <see cref="Embedding"/> comes first; nothing is added once compiled.
    /// </summary>
    public void Add(Layer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (IsCompiled) throw new InvalidOperationException("the model is compiled: add every layer before Compile");
        if (layer.First && _layers.Count > 0)
            throw new ArgumentException($"an Embedding reads token ids, so it can only be the first layer, not layer {_layers.Count}", nameof(layer));
        if (layer.ReadsSequence && !GivesSequence())
            throw new ArgumentException($"layer {_layers.Count} ({layer.GetType().Name}) needs a sequence, and the layer before it returns only its last state: " +
                "give that one returnSequences: true", nameof(layer));
        _layers.Add(layer);
    }

    private bool GivesSequence()
    {
        for (int i = _layers.Count - 1; i >= 0; i--)
            if (_layers[i].Sequence is { } sequence) return sequence;
        return true;
    }

    /// <summary>
    /// Fixes how the model trains: the optimizer, the loss (<c>mse</c>, <c>mae</c> or <c>crossentropy</c>, whose
    /// targets are class indices) and the metrics each epoch reports (<c>accuracy</c>, <c>perplexity</c>, <c>mae</c>,
    /// <c>mse</c>, <c>rmse</c>), with gradient clipping by global norm when <paramref name="clipNorm"/> is above 0 and
    /// the learning rate step by step after <paramref name="schedule"/> (<see cref="StepDecay"/>, <see cref="CosineDecay"/>).
    /// </summary>
    public void Compile(Optimizer optimizer, string loss = "mse", IEnumerable<string>? metrics = null, double clipNorm = 0, Schedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        if (_layers.Count == 0) throw new InvalidOperationException("the model has no layers: add them before Compile");
        if (loss is not ("mse" or "mae" or "crossentropy")) throw new ArgumentException($"expected \"mse\", \"mae\" or \"crossentropy\", got \"{loss}\"", nameof(loss));
        if (!(clipNorm >= 0) || double.IsInfinity(clipNorm)) throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "expected a number of at least 0");
        var names = metrics?.ToList() ?? [];
        var known = Enum.GetValues<MetricKind>().Select(Metrics.Name).ToList();
        foreach (var name in names)
            if (!known.Contains(name)) throw new ArgumentException($"unknown metric \"{name}\": expected {string.Join(", ", known)}", nameof(metrics));
        var training = new JsonObject { ["loss"] = loss, ["optimizer"] = optimizer.ToJson() };
        if (names.Count > 0) training["metrics"] = new JsonArray([.. names.Select(n => (JsonNode)n)]);
        if (clipNorm > 0) training["clipNorm"] = clipNorm;
        if (schedule is not null) training["schedule"] = schedule.ToJson();
        try
        {
            Parse(Config(training, 1, 32, 0, shuffle: !IsStateful, 0));
        }
        catch (InputException e)
        {
            throw new ArgumentException(e.Message);
        }
        _training = training;
    }

    /// <summary>
    /// Trains on <paramref name="x"/> (samples, timesteps, features) against <paramref name="y"/> (samples, outputs),
    /// or (samples, timesteps × outputs) for a model whose last recurrent layer returns sequences. The last
    /// <paramref name="validationSplit"/> of the samples validate, as Keras's validation_split. A second fit goes on
    /// from the weights the first one left.
    /// </summary>
    /// <param name="x">The input sequences (samples, timesteps, features).</param>
    /// <param name="y">The targets.</param>
    /// <param name="epochs">Passes over the training samples.</param>
    /// <param name="batchSize">Samples per optimizer step; for a stateful model, the streams its samples are read as.</param>
    /// <param name="validationSplit">The fraction of samples, taken from the end, that validate instead of training.</param>
    /// <param name="shuffle">Shuffle the samples every epoch (the order is a function of the seed and the epoch).</param>
    /// <param name="options">Workers or cluster, seed, checkpoints; null: one local worker, seed 0, no checkpoints.</param>
    /// <param name="progress">Hears every epoch.</param>
    /// <param name="callbacks">Between epochs: <see cref="EarlyStopping"/>, <see cref="ReduceLROnPlateau"/>.</param>
    /// <param name="cancellationToken">Stops the fit at the next step, with a checkpoint when <see cref="FitOptions.CheckpointDirectory"/> is set (<see cref="FitCanceledException"/>).</param>
    public Task<History> FitAsync(float[,,] x, float[,] y, int epochs = 1, int batchSize = 32, double validationSplit = 0, bool shuffle = true,
        FitOptions? options = null, IProgress<EpochProgress>? progress = null, IEnumerable<Callback>? callbacks = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (y.GetLength(0) != x.GetLength(0))
            throw new ArgumentException($"y has {y.GetLength(0)} samples and x {x.GetLength(0)}: expected one row of targets per sample", nameof(y));
        return FitCore(Flat(x), x.GetLength(0), x.GetLength(1), x.GetLength(2), Flat(y), y.GetLength(1), epochs, batchSize, validationSplit, shuffle,
            options, progress, callbacks, cancellationToken);
    }

    /// <summary>
    /// Trains a classifier (loss <c>crossentropy</c>) on <paramref name="x"/> (samples, timesteps, features) against
    /// class indices <paramref name="y"/> (samples), as PyTorch's CrossEntropyLoss and Keras's sparse cross-entropy take them.
    /// </summary>
    /// <param name="x">The input sequences (samples, timesteps, features).</param>
    /// <param name="y">One class index per sample, from 0.</param>
    /// <param name="epochs">Passes over the training samples.</param>
    /// <param name="batchSize">Samples per optimizer step; for a stateful model, the streams its samples are read as.</param>
    /// <param name="validationSplit">The fraction of samples, taken from the end, that validate instead of training.</param>
    /// <param name="shuffle">Shuffle the samples every epoch.</param>
    /// <param name="options">Workers or cluster, seed, checkpoints.</param>
    /// <param name="progress">Hears every epoch.</param>
    /// <param name="callbacks">Between epochs: <see cref="EarlyStopping"/>, <see cref="ReduceLROnPlateau"/>.</param>
    /// <param name="cancellationToken">Stops the fit at the next step.</param>
    public Task<History> FitAsync(float[,,] x, int[] y, int epochs = 1, int batchSize = 32, double validationSplit = 0, bool shuffle = true,
        FitOptions? options = null, IProgress<EpochProgress>? progress = null, IEnumerable<Callback>? callbacks = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (y.Length != x.GetLength(0))
            throw new ArgumentException($"y has {y.Length} samples and x {x.GetLength(0)}: expected one class per sample", nameof(y));
        return FitCore(Flat(x), x.GetLength(0), x.GetLength(1), x.GetLength(2), [.. y.Select(c => (float)c)], 1, epochs, batchSize, validationSplit, shuffle,
            options, progress, callbacks, cancellationToken);
    }

    /// <summary>
    /// Trains a model whose first layer is an <see cref="Embedding"/> on token ids <paramref name="tokens"/>
    /// (samples, timesteps) against class indices <paramref name="y"/> (samples).
    /// </summary>
    /// <param name="tokens">Token ids, each in [0, the embedding's inputDim).</param>
    /// <param name="y">One class index per sample, from 0.</param>
    /// <param name="epochs">Passes over the training samples.</param>
    /// <param name="batchSize">Samples per optimizer step; for a stateful model, the streams its samples are read as.</param>
    /// <param name="validationSplit">The fraction of samples, taken from the end, that validate instead of training.</param>
    /// <param name="shuffle">Shuffle the samples every epoch.</param>
    /// <param name="options">Workers or cluster, seed, checkpoints.</param>
    /// <param name="progress">Hears every epoch.</param>
    /// <param name="callbacks">Between epochs: <see cref="EarlyStopping"/>, <see cref="ReduceLROnPlateau"/>.</param>
    /// <param name="cancellationToken">Stops the fit at the next step.</param>
    public Task<History> FitAsync(int[,] tokens, int[] y, int epochs = 1, int batchSize = 32, double validationSplit = 0, bool shuffle = true,
        FitOptions? options = null, IProgress<EpochProgress>? progress = null, IEnumerable<Callback>? callbacks = null, CancellationToken cancellationToken = default) =>
        FitAsync(Ids(tokens), y, epochs, batchSize, validationSplit, shuffle, options, progress, callbacks, cancellationToken);

    /// <summary>The outputs of an <see cref="Embedding"/> model for token ids <paramref name="tokens"/> (samples, timesteps): (samples, outputs).</summary>
    public float[,] Predict(int[,] tokens) => Predict(Ids(tokens));

    /// <summary>Token ids as the (samples, timesteps, 1) inputs an embedding reads, checked against its vocabulary.</summary>
    private float[,,] Ids(int[,] tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (_layers.FirstOrDefault() is not Embedding embedding)
            throw new InvalidOperationException("token ids need an Embedding as the first layer; give other inputs as float[,,]");
        var x = new float[tokens.GetLength(0), tokens.GetLength(1), 1];
        for (int i = 0; i < tokens.GetLength(0); i++)
            for (int t = 0; t < tokens.GetLength(1); t++)
            {
                int id = tokens[i, t];
                if (id < 0 || id >= embedding.InputDim)
                    throw new ArgumentOutOfRangeException(nameof(tokens), id, $"token [{i}, {t}] is outside the embedding's vocabulary [0, {embedding.InputDim})");
                x[i, t, 0] = id;
            }
        return x;
    }

    private async Task<History> FitCore(float[] x, int samples, int timesteps, int features, float[] y, int targets, int epochs, int batchSize,
        double validationSplit, bool shuffle, FitOptions? options, IProgress<EpochProgress>? progress, IEnumerable<Callback>? callbacks, CancellationToken cancellation)
    {
        var training = (JsonObject)(_training ?? throw new InvalidOperationException("the model is not compiled: call Compile before FitAsync")).DeepClone();
        foreach (var callback in callbacks ?? [])
        {
            if (callback is null) throw new ArgumentException("a callback is null", nameof(callbacks));
            callback.AddTo(training);
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (!(validationSplit >= 0 && validationSplit < 1)) throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "expected a fraction in [0, 1)");
        options ??= new FitOptions();
        options.Check();
        var cluster = options.Cluster?.ToOptions();
        if (samples < 1 || timesteps < 1) throw new ArgumentException("x holds no sequences", "x");
        if (features != InputSize) throw new ArgumentException($"x has {features} features per timestep and the model's inputSize is {InputSize}", "x");
        if (IsStateful) RequireStreams(samples, validationSplit, batchSize, shuffle);

        var configJson = Config(training, epochs, batchSize, validationSplit, shuffle, options.Seed);
        RunConfig config;
        try
        {
            config = Parse(configJson);
        }
        catch (InputException e)
        {
            // What Compile accepted parses again here, so the callbacks are what can be wrong (a monitor the fit does not log).
            throw new ArgumentException(e.Message, nameof(callbacks));
        }
        var network = new Network(config.Model);
        int expected = new GradientEngine(network, config.Training.Loss, config.Training.TruncatedBptt).LossTermsPerSample(timesteps);
        if (targets != expected)
            throw new ArgumentException($"y has {targets} targets per sample; this model and loss expect {expected}", "y");
        int trainCount = ValidationSplit.TrainCount(samples, (float)validationSplit);
        if (trainCount < 1) throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, $"leaves none of the {samples} samples to train on");
        var train = SequenceSet.Slice(x, y, null, 0, trainCount, timesteps, features, targets);
        var validation = trainCount < samples ? SequenceSet.Slice(x, y, null, trainCount, samples - trainCount, timesteps, features, targets) : null;
        TrainingJob job;
        try
        {
            job = TrainingJob.Create(config.Model, config.Training, train, validation, _fitted?.Model.Parameters, network);
        }
        catch (InputException e)
        {
            throw new ArgumentException(e.Message, "y");
        }
        var checkpoints = options.CheckpointDirectory is { } folder
            ? new CheckpointPolicy(CheckpointFolder.Of(folder), RunFingerprint.Of(config, job), options.CheckpointEverySteps)
            : null;
        var session = new SessionOptions(Start: options.Resume ? Resume(checkpoints!, job, epochs) : null,
            Checkpoints: checkpoints, Observer: new FitObserver(progress, epochs));
        TrainingResult result;
        try
        {
            result = cluster is null
                ? await TrainingSession.RunLocalAsync(job, new LocalOptions(options.Workers, options.Threads), session, cancellation).ConfigureAwait(false)
                : await TrainingSession.RunClusterAsync(job, cluster, session, cancellation).ConfigureAwait(false);
        }
        catch (TrainingStoppedException stopped)
        {
            throw new FitCanceledException(stopped.Checkpoint, cancellation);
        }
        var stopping = result.State.Stopping;
        var history = result.Epochs;
        var last = history[^1];
        var summary = new TrainingSummary(history.Count, last.Loss, last.ValLoss, result.State.TrainingSeconds, last.Workers, network.ParameterCount, last.Metrics,
            config.Training.EarlyStopping is null ? null : stopping.BestEpoch, stopping.StoppedEpoch);
        _fitted = new Fitted(new TrainedModel(config, null, stopping.BestWeights ?? result.Weights), configJson, summary);
        return HistoryOf(history, config.Training.EarlyStopping is null ? null : stopping);
    }

    /// <summary>
    /// Where a resumed fit starts (<see cref="FitOptions.Resume"/>): the checks of <c>train --resume</c>, failing as
    /// the argument that is wrong. A damaged checkpoint is passed over for the one before it.
    /// </summary>
    private static TrainingState Resume(CheckpointPolicy checkpoints, TrainingJob job, int epochs)
    {
        try
        {
            return checkpoints.Resume(job, epochs, $"options.Resume ({checkpoints.Folder.Path})", nameof(epochs), _ => { });
        }
        catch (InputException e)
        {
            throw new ArgumentException(e.Message, e.Message.StartsWith($"{nameof(epochs)} ", StringComparison.Ordinal) ? nameof(epochs) : "options");
        }
    }

    /// <summary>The model's outputs for <paramref name="x"/> (samples, timesteps, features): (samples, outputs); class probabilities for a cross-entropy model.</summary>
    public float[,] Predict(float[,,] x)
    {
        var (outputs, shape) = Outputs(x, sequence: false);
        var result = new float[shape[0], shape[1]];
        Buffer.BlockCopy(outputs, 0, result, 0, outputs.Length * sizeof(float));
        return result;
    }

    /// <summary>A many-to-many model's outputs for <paramref name="x"/>: (samples, timesteps, outputs).</summary>
    public float[,,] PredictSequences(float[,,] x)
    {
        var (outputs, shape) = Outputs(x, sequence: true);
        var result = new float[shape[0], shape[1], shape[2]];
        Buffer.BlockCopy(outputs, 0, result, 0, outputs.Length * sizeof(float));
        return result;
    }

    private (float[] Outputs, int[] Shape) Outputs(float[,,] x, bool sequence)
    {
        ArgumentNullException.ThrowIfNull(x);
        var model = Trained();
        if (model.Network.OutputIsSequence != sequence)
            throw new InvalidOperationException(sequence ? "the model gives one output per sequence: use Predict" : "the model gives an output per timestep: use PredictSequences");
        RequireFeatures(x);
        return model.Predict(Flat(x), x.GetLength(0), x.GetLength(1));
    }

    /// <summary>The loss and metrics on <paramref name="x"/> and <paramref name="y"/>, scored as validation is (no dropout), by their logged names.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(float[,,] x, float[,] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return EvaluateCore(x, Flat(y), y.GetLength(0), y.GetLength(1));
    }

    /// <summary>A classifier's loss and metrics on <paramref name="x"/> against class indices <paramref name="y"/>.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(float[,,] x, int[] y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        return EvaluateCore(x, [.. y.Select(c => (float)c)], y.Length, 1);
    }

    private Dictionary<string, double> EvaluateCore(float[,,] x, float[] y, int rows, int targets)
    {
        var model = Trained();
        int samples = x.GetLength(0), timesteps = x.GetLength(1);
        if (rows != samples) throw new ArgumentException($"y has {rows} samples and x {samples}", nameof(y));
        RequireFeatures(x);
        int expected = new GradientEngine(model.Network, model.Config.Training.Loss, model.Config.Training.TruncatedBptt).LossTermsPerSample(timesteps);
        if (targets != expected) throw new ArgumentException($"y has {targets} targets per sample; this model and loss expect {expected}", nameof(y));
        var (loss, metrics) = model.Score(ShardInput.Gather(Flat(x), y, timesteps, InputSize, targets, [.. Enumerable.Range(0, samples)]));
        var scores = new Dictionary<string, double> { ["loss"] = loss };
        foreach (var (name, value) in metrics) scores[name] = value;
        return scores;
    }

    private void RequireFeatures(float[,,] x)
    {
        if (x.GetLength(2) != InputSize) throw new ArgumentException($"x has {x.GetLength(2)} features per timestep and the model's inputSize is {InputSize}", nameof(x));
    }

    /// <summary>
    /// Writes the model as <c>rnn-cluster train</c> writes it: model.json (the config, how the fit went) and
    /// model.safetensors (PyTorch's tensor names), each atomically, so <c>rnn-cluster predict --model</c>,
    /// <c>export</c> and <see cref="Load"/> read it.
    /// </summary>
    public void Save(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var (model, config, summary) = Fit();
        var data = model.Config.Data;
        Directory.CreateDirectory(folder);
        ModelWeights.Save(Path.Combine(folder, ModelWeights.FileName), model.Network, model.Parameters);
        new ModelManifest((JsonObject)config.DeepClone(), data.Columns, data.Target, data.Timesteps, data.Horizon, model.Scaling, summary).Save(folder);
    }

    /// <summary>A model that <see cref="Save"/> or <c>rnn-cluster train</c> wrote, compiled as it was trained, ready to predict or to fit on.</summary>
    public static Sequential Load(string folder)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        try
        {
            var manifest = ModelManifest.Load(folder);
            var trained = TrainedModel.Load(folder, manifest);
            var model = new Sequential(trained.Config.Model.InputSize);
            foreach (var layer in trained.Config.Model.Layers) model.Add(Layer.From(layer));
            model._training = (JsonObject)(manifest.Config["training"]?.DeepClone() ?? new JsonObject());
            foreach (var field in new[] { "epochs", "batchSize", "shuffle", "seed" }) model._training.Remove(field);
            model._fitted = new Fitted(trained, (JsonObject)manifest.Config.DeepClone(), manifest.Training);
            return model;
        }
        catch (InputException e)
        {
            throw new ArgumentException(e.Message, nameof(folder), e);
        }
    }

    /// <inheritdoc/>
    public IEnumerator<Layer> GetEnumerator() => _layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private Fitted Fit() => _fitted ?? throw new InvalidOperationException("the model is not trained: call FitAsync (or Load a saved model) first");

    private TrainedModel Trained() => Fit().Model;

    /// <summary>The config this model, these choices and a fit's arguments make: what a user would write for <c>rnn-cluster train</c>.</summary>
    private JsonObject Config(JsonObject training, int epochs, int batchSize, double validationSplit, bool shuffle, ulong seed)
    {
        var run = (JsonObject)training.DeepClone();
        run["epochs"] = epochs;
        run["batchSize"] = batchSize;
        run["shuffle"] = shuffle;
        run["seed"] = seed;
        var data = new JsonObject { ["source"] = "safetensors", ["path"] = ArraysPath };
        if (validationSplit > 0) data["validationSplit"] = validationSplit;
        return new JsonObject
        {
            ["model"] = new JsonObject { ["inputSize"] = InputSize, ["layers"] = new JsonArray([.. _layers.Select(l => (JsonNode)l.ToJson())]) },
            ["data"] = data,
            ["training"] = run,
        };
    }

    /// <summary>Whether a recurrent layer carries its state from window to window.</summary>
    private bool IsStateful => _layers.OfType<RecurrentLayer>().Any(layer => layer.Stateful);

    /// <summary>A stateful model reads its training samples in order as batchSize streams: no shuffling, and a window for every stream.</summary>
    private static void RequireStreams(int samples, double validationSplit, int batchSize, bool shuffle)
    {
        if (shuffle) throw new ArgumentException("a stateful model reads each stream's windows in order: pass shuffle: false", nameof(shuffle));
        int trainCount = ValidationSplit.TrainCount(samples, (float)validationSplit);
        if (trainCount < batchSize)
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize,
                $"a stateful model reads its training samples as batchSize streams of consecutive windows, one window of each a step; there are {trainCount} training samples");
    }

    private static RunConfig Parse(JsonObject config) => ConfigLoader.Parse(config.ToJsonString(), "the model", Environment.CurrentDirectory);

    private static float[] Flat(Array array)
    {
        var flat = new float[array.Length];
        Buffer.BlockCopy(array, 0, flat, 0, flat.Length * sizeof(float));
        return flat;
    }

    private static History HistoryOf(IReadOnlyList<EpochMetrics> epochs, StoppingState? stopping)
    {
        var metrics = new Dictionary<string, IReadOnlyList<double>>();
        foreach (var name in epochs[0].Metrics?.Keys ?? Enumerable.Empty<string>())
            metrics[name] = [.. epochs.Select(e => e.Metrics![name])];
        var validated = epochs.All(e => e.ValLoss is not null);
        var scheduled = epochs.All(e => e.LearningRate is not null);
        return new History([.. epochs.Select(e => e.Loss)], validated ? [.. epochs.Select(e => e.ValLoss!.Value)] : null, metrics)
        {
            LearningRate = scheduled ? [.. epochs.Select(e => e.LearningRate!.Value)] : null,
            BestEpoch = stopping?.BestEpoch,
            StoppedEpoch = stopping?.StoppedEpoch,
        };
    }

    /// <summary>The session's reports as <see cref="EpochProgress"/>.</summary>
    private sealed class FitObserver(IProgress<EpochProgress>? progress, int epochs) : ISessionObserver
    {
        public void EpochDone(EpochMetrics metrics) => progress?.Report(new EpochProgress(metrics.Epoch, epochs, metrics.Loss, metrics.ValLoss,
            metrics.Metrics ?? new Dictionary<string, double>(), metrics.Workers));
    }
}
