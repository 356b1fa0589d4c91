using System.Text;
using System.Text.Json;
using Rnn.Math.Data.Synthetic;
using Rnn.Math.LayerTypes;

namespace Rnn.Math.Config;

/// <summary>
/// Reads the config file (docs/contract.md) into a <see cref="RunConfig"/>. Absent optional fields take Keras's
/// defaults. Every mistake is one <see cref="InputException"/> naming the file, the 1-based line, the field's
/// JSON path and what was expected; unknown names get the nearest valid one as a suggestion.
/// </summary>
public static class ConfigLoader
{
    private static readonly string[] TopFields = ["model", "data", "training"];
    private static readonly string[] ModelFields = ["inputSize", "layers"];
    private static readonly string[] CsvFields = ["source", "path", "columns", "target", "timesteps", "horizon", "stride", "validationSplit", "validationPath", "normalize", "streams"];
    private static readonly string[] SafetensorsFields = ["source", "path", "validationSplit", "validationPath", "streams"];
    private static readonly string[] SyntheticFields = ["source", "generator", "samples", "timesteps", "seed", "validationSplit", "streams"];
    private static readonly string[] TextFields = ["source", "path", "timesteps", "stride", "validationSplit", "validationPath", "streams"];
    private static readonly string[] TrainingFields = ["epochs", "batchSize", "loss", "shuffle", "seed", "clipNorm", "optimizer", "truncatedBptt", "groupSize", "maxBadSteps", "metrics", "schedule", "earlyStopping"];
    private static readonly string[] EarlyStoppingFields = ["monitor", "patience", "minDelta", "restoreBest"];
    private static readonly string[] StepScheduleFields = ["type", "every", "gamma"];
    private static readonly string[] CosineScheduleFields = ["type", "warmupSteps", "minLearningRate"];
    private static readonly string[] PlateauScheduleFields = ["type", "monitor", "factor", "patience", "minLearningRate"];
    private static readonly string[] AdamFields = ["type", "learningRate", "beta1", "beta2", "epsilon", "weightDecay"];
    private static readonly string[] SgdFields = ["type", "learningRate", "momentum", "nesterov"];
    private static readonly string[] RmsPropFields = ["type", "learningRate", "rho", "epsilon"];

    /// <summary>PyTorch's AdamW default; Adam's own weight decay (L2) defaults to none.</summary>
    private const float AdamWDefaultWeightDecay = 0.01f;

    /// <summary>Keras's SGD default; Adam's (0.001) is <see cref="OptimizerConfig"/>'s own.</summary>
    private const float SgdDefaultLearningRate = 0.01f;

    public static RunConfig Load(string path)
    {
        if (!File.Exists(path)) throw new InputException($"config file not found: {path}");
        string fullPath = Path.GetFullPath(path);
        return Parse(File.ReadAllBytes(fullPath), Path.GetFileName(fullPath), Path.GetDirectoryName(fullPath)!);
    }

    public static RunConfig Parse(string json, string fileName, string baseDirectory)
        => Parse(Encoding.UTF8.GetBytes(json), fileName, baseDirectory);

    private static RunConfig Parse(byte[] utf8, string fileName, string baseDirectory)
    {
        var root = new ConfigObject(LocatedJson.Parse(utf8, fileName), fileName);
        root.RejectUnknown(TopFields, "");
        var training = root.OptionalObject("training");
        var modelObject = root.Object("model");
        var model = ReadModel(modelObject);
        var dataObject = root.Object("data");
        var data = ReadData(dataObject);
        if (data.Source != DataSource.Synthetic && dataObject.Field("validationPath") is { } validation)
        {
            if (data.ValidationSplit > 0)
                throw dataObject.Error(validation, "give the validation data as validationPath or validationSplit, not both");
            data = data with { ValidationPath = dataObject.String("validationPath", "the validation file's path") };
        }
        RequireSizes(modelObject, model, data.Source);
        var config = new RunConfig(model, data, training is null ? new TrainingConfig() : ReadTraining(training, model.WithVocabulary(VocabularyPending)))
        {
            BaseDirectory = baseDirectory,
        };
        config = WithStreams(dataObject, training, config);
        if (data.Source == DataSource.Text) RequireTextModel(root, config);
        if (config.Training.Schedule is { Type: ScheduleKind.Plateau } plateau)
            RequireLogged(training!.OptionalObject("schedule")!, plateau.Monitor, config);
        if (config.Training.EarlyStopping is { } stopping)
            RequireLogged(training!.OptionalObject("earlyStopping")!, stopping.Monitor, config);
        return config;
    }

    /// <summary>
    /// A stateful model (docs/stateful.md) reads its windows as streams, one window of every stream a minibatch:
    /// data.streams and training.batchSize are one number (either may be given; both must then agree), the windows
    /// are not shuffled, and a CSV's or text's windows follow each other (stride = timesteps, a CSV's default then).
    /// Any other model's data has no streams, and a CSV's windows start every row.
    /// </summary>
    private static RunConfig WithStreams(ConfigObject dataObject, ConfigObject? training, RunConfig config)
    {
        var (data, train) = (config.Data, config.Training);
        bool stateful = config.Model.Layers.Any(layer => layer is RecurrentConfig { Stateful: true });
        var streamsField = dataObject.Field("streams");
        if (!stateful)
        {
            if (streamsField is not null)
                throw dataObject.Error(streamsField, "only a stateful model reads its data as streams: set \"stateful\": true on its recurrent layers, or drop streams");
            return data.Source == DataSource.Csv ? config with { Data = data with { Stride = System.Math.Max(1, data.Stride) } } : config;
        }
        int streams = streamsField is null ? train.BatchSize : dataObject.Int("streams", null, 1);
        if (streamsField is not null && training?.Field("batchSize") is { } batch && train.BatchSize != streams)
            throw training.Error(batch, $"a stateful model's minibatch is one window of each of its data.streams ({streams}): drop batchSize or make it {streams}");
        if (training?.Field("shuffle") is { } shuffle && train.Shuffle)
            throw training.Error(shuffle, "a stateful model reads each stream's windows in order: shuffle must be false");
        if (data.Source is DataSource.Csv or DataSource.Text)
        {
            if (dataObject.Field("stride") is { } stride && data.Stride != data.Timesteps)
                throw dataObject.Error(stride, $"a stateful model carries each window's state into the next, so its windows must follow each other: stride must equal timesteps ({data.Timesteps})");
            data = data with { Stride = data.Timesteps };
        }
        return config with { Data = data with { Streams = streams }, Training = train with { BatchSize = streams, Shuffle = false } };
    }

    /// <summary>The names each epoch logs: loss and the metrics, and with validation data their `val` forms.</summary>
    public static IReadOnlyList<string> Logged(RunConfig config)
    {
        var training = config.Training.Metrics.Select(Losses.Metrics.Name).Prepend("loss");
        bool validation = config.Data.ValidationSplit > 0 || config.Data.ValidationPath is not null;
        return [.. training, .. validation ? config.Training.Metrics.Select(Losses.Metrics.ValidationName).Prepend("valLoss") : []];
    }

    /// <summary>A monitor must name a figure the run logs each epoch.</summary>
    private static void RequireLogged(ConfigObject owner, string monitor, RunConfig config)
    {
        var logged = Logged(config);
        if (logged.Contains(monitor)) return;
        string why = monitor.StartsWith("val", StringComparison.Ordinal) && config.Data.ValidationSplit == 0 && config.Data.ValidationPath is null
            ? " (this run has no validation data: set data.validationSplit or data.validationPath)"
            : "";
        string message = $"\"{monitor}\" is not logged by this run{why}; it logs {NearestName.List(logged)}";
        throw owner.Field("monitor") is { } field ? owner.Error(field, message) : owner.Error($"monitor (default) {message}");
    }

    /// <summary>What the checks of a text model take for its vocabulary's size before the text is read: more than one class.</summary>
    private const int VocabularyPending = 2;

    /// <summary>
    /// An embedding's inputDim and the last dense layer's units may be left out only where a text source gives them
    /// (its vocabulary's size); anywhere else they are required.
    /// </summary>
    private static void RequireSizes(ConfigObject modelObject, ModelConfig model, DataSource source)
    {
        for (int i = 0; i < model.Layers.Count; i++)
        {
            string? field = model.Layers[i] switch
            {
                EmbeddingConfig { InputDim: 0 } => "inputDim",
                DenseConfig { Units: 0 } => "units",
                _ => null,
            };
            if (field is null) continue;
            var layer = modelObject.Child(modelObject.Array("layers", "an array of layers")[i]);
            bool last = i == model.Layers.Count - 1;
            if (source != DataSource.Text || (field == "units" && !last))
            {
                throw layer.Missing(field, source == DataSource.Text
                    ? "a positive whole number; only the last dense layer's units come from the text's vocabulary"
                    : "a positive whole number");
            }
        }
    }

    /// <summary>A text source gives token ids and next-character classes: an embedding first, and crossentropy.</summary>
    private static void RequireTextModel(ConfigObject root, RunConfig config)
    {
        if (config.Model.Layers[0] is not EmbeddingConfig)
            throw root.Error(root.Field("model")!, "model.layers[0]: data.source text feeds character ids: the first layer must be an embedding");
        if (config.Training.Loss != LossKind.CrossEntropy)
            throw root.Error(root.Field("training") ?? root.Field("data")!, $"training.loss: data.source text gives the next character as a class: use crossentropy, not {config.Training.Loss.ToString().ToLowerInvariant()}");
    }

    /// <summary>A `model` object alone, as <see cref="ModelConfig.ToJson"/> writes it; <paramref name="source"/> names it in errors.</summary>
    public static ModelConfig ParseModel(string json, string source)
        => ReadModel(new ConfigObject(LocatedJson.Parse(Encoding.UTF8.GetBytes(json), source), source));

    private static ModelConfig ReadModel(ConfigObject model)
    {
        model.RejectUnknown(ModelFields, "");
        var layers = model.Array("layers", "an array of layers")
            .Select(layer => ReadLayer(model.Child(layer)))
            .ToList();
        // An embedding reads one token id a timestep: its model's input size needs no saying.
        int inputSize = model.Int("inputSize", layers is [EmbeddingConfig, ..] ? 1 : null, 1);
        return new ModelConfig(inputSize, layers);
    }

    /// <summary>A layer's `type` picks its <see cref="LayerType"/>, which allows and reads the fields of that type.</summary>
    private static LayerConfig ReadLayer(ConfigObject layer)
    {
        var type = LayerRegistry.Named(layer.OneOf("type", "layer type", LayerRegistry.Names));
        layer.RejectUnknown(type.Fields, $" for a {type.Name} layer");
        return type.Read(layer);
    }

    private static DataConfig ReadData(ConfigObject data)
    {
        var source = data.Choice<DataSource>("source", "data source", null);
        string owner = $" for source \"{source.ToString().ToLowerInvariant()}\"";
        float split = data.Float("validationSplit", 0f, s => s >= 0f && s < 1f, "a fraction in [0, 1)");
        switch (source)
        {
            case DataSource.Csv:
                data.RejectUnknown(CsvFields, owner);
                return new DataConfig(source,
                    Path: data.String("path", "the CSV file's path"),
                    Columns: ReadColumns(data),
                    Target: data.String("target", "the name of the column to predict"),
                    Timesteps: data.Int("timesteps", null, 1),
                    Horizon: data.Int("horizon", 1, 1),
                    ValidationSplit: split,
                    Stride: data.Int("stride", 0, 1),
                    Normalize: data.Choice<Normalization>("normalize", "normalisation", Normalization.None));
            case DataSource.Safetensors:
                data.RejectUnknown(SafetensorsFields, owner);
                return new DataConfig(source, Path: data.String("path", "the safetensors file's path"), ValidationSplit: split);
            case DataSource.Text:
            {
                data.RejectUnknown(TextFields, owner);
                int windows = data.Int("timesteps", null, 1);
                return new DataConfig(source, Path: data.String("path", "the text file's path"), Timesteps: windows,
                    Stride: data.Int("stride", windows, 1), ValidationSplit: split);
            }
            default:
                data.RejectUnknown(SyntheticFields, owner);
                var generator = data.Choice<SyntheticGenerator>("generator", "generator", null);
                int timesteps = data.Int("timesteps", null, MinTimesteps(generator));
                return new DataConfig(source,
                    Generator: generator,
                    Samples: data.Int("samples", null, 1),
                    Timesteps: timesteps,
                    Seed: data.Seed("seed"),
                    ValidationSplit: split);
        }
    }

    private static int MinTimesteps(SyntheticGenerator generator) => generator switch
    {
        SyntheticGenerator.Adding => AddingProblem.MinTimesteps,
        SyntheticGenerator.Copy => CopyMemory.MinTimesteps,
        _ => 1,
    };

    private static List<string> ReadColumns(ConfigObject data)
    {
        const string expected = "an array of column names";
        var columns = new List<string>();
        foreach (var item in data.Array("columns", expected))
        {
            if (item.Kind != JsonTokenType.String || item.Text.Length == 0)
            {
                throw data.Error(item, $"expected a column name, got {item.Describe()}");
            }
            if (columns.Contains(item.Text)) throw data.Error(item, $"column \"{item.Text}\" is listed twice");
            columns.Add(item.Text);
        }
        return columns;
    }

    private static TrainingConfig ReadTraining(ConfigObject training, ModelConfig model)
    {
        training.RejectUnknown(TrainingFields, "");
        var defaults = new TrainingConfig();
        var loss = training.Choice<LossKind>("loss", "loss", defaults.Loss);
        var config = new TrainingConfig(
            Epochs: training.Int("epochs", defaults.Epochs, 1),
            BatchSize: training.Int("batchSize", defaults.BatchSize, 1),
            Loss: loss,
            Shuffle: training.Bool("shuffle", defaults.Shuffle),
            Seed: training.Seed("seed"),
            ClipNorm: training.Float("clipNorm", defaults.ClipNorm, c => c >= 0f, "a norm >= 0 (0 turns clipping off)"),
            Optimizer: ReadOptimizer(training),
            TruncatedBptt: training.Int("truncatedBptt", defaults.TruncatedBptt, 0),
            GroupSize: training.Int("groupSize", defaults.GroupSize, 1),
            MaxBadSteps: training.Int("maxBadSteps", defaults.MaxBadSteps, 1));
        return config with { Metrics = ReadMetrics(training, loss, model), Schedule = ReadSchedule(training), EarlyStopping = ReadEarlyStopping(training) };
    }

    private static EarlyStoppingConfig? ReadEarlyStopping(ConfigObject training)
    {
        if (training.OptionalObject("earlyStopping") is not { } stopping) return null;
        stopping.RejectUnknown(EarlyStoppingFields, " for earlyStopping");
        var defaults = new EarlyStoppingConfig();
        return new EarlyStoppingConfig(
            Monitor: stopping.Field("monitor") is null ? defaults.Monitor : stopping.String("monitor", "a logged figure (valLoss, loss, valAccuracy, ...)"),
            Patience: stopping.Int("patience", defaults.Patience, 1),
            MinDelta: stopping.Float("minDelta", 0f, d => d >= 0f, "a change >= 0"),
            RestoreBest: stopping.Bool("restoreBest", defaults.RestoreBest));
    }

    /// <summary>`schedule`: the type's own fields, each checked.</summary>
    private static ScheduleConfig? ReadSchedule(ConfigObject training)
    {
        if (training.OptionalObject("schedule") is not { } schedule) return null;
        var type = schedule.Choice<ScheduleKind>("type", "schedule", null);
        string owner = $" for a {type.ToString().ToLowerInvariant()} schedule";
        const string rate = "a learning rate >= 0";
        Func<float, bool> notNegative = v => v >= 0f;
        switch (type)
        {
            case ScheduleKind.Step:
                schedule.RejectUnknown(StepScheduleFields, owner);
                return new ScheduleConfig(type, Every: schedule.Int("every", null, 1),
                    Gamma: schedule.Float("gamma", 0.1f, g => g > 0f, "a factor > 0"));
            case ScheduleKind.Cosine:
                schedule.RejectUnknown(CosineScheduleFields, owner);
                return new ScheduleConfig(type, WarmupSteps: schedule.Int("warmupSteps", 0, 0),
                    MinLearningRate: schedule.Float("minLearningRate", 0f, notNegative, rate));
            default:
                schedule.RejectUnknown(PlateauScheduleFields, owner);
                return new ScheduleConfig(type,
                    Monitor: schedule.Field("monitor") is null ? "valLoss" : schedule.String("monitor", "a logged figure (valLoss, loss, valAccuracy, ...)"),
                    Factor: schedule.Float("factor", 0.5f, f => f > 0f && f < 1f, "a factor in (0, 1)"),
                    Patience: schedule.Int("patience", 5, 1),
                    MinLearningRate: schedule.Float("minLearningRate", 0f, notNegative, rate));
        }
    }

    /// <summary>`metrics`: distinct names, each one that means something for the loss and the model's outputs.</summary>
    private static IReadOnlyList<MetricKind> ReadMetrics(ConfigObject training, LossKind loss, ModelConfig model)
    {
        var value = training.Field("metrics");
        if (value is null) return [];
        if (value.Kind != JsonTokenType.StartArray) throw training.Error(value, $"expected an array of metric names, got {value.Describe()}");
        int outputs = model.Layers.Aggregate(model.InputSize, (size, layer) => layer.OutputSize(size));
        var metrics = new List<MetricKind>();
        foreach (var item in value.Items)
        {
            var kind = training.Choice<MetricKind>(item, "metric");
            if (metrics.Contains(kind)) throw training.Error(item, $"metric \"{Losses.Metrics.Name(kind)}\" is listed twice");
            if (Losses.Metrics.Unfit(kind, loss, outputs) is { } why) throw training.Error(item, why);
            metrics.Add(kind);
        }
        return metrics;
    }

    /// <summary>`"optimizer": "sgd"` (defaults) or `"optimizer": { "type": "sgd", ... }`, as Keras takes either.</summary>
    private static OptimizerConfig ReadOptimizer(ConfigObject training)
    {
        var value = training.Field("optimizer");
        if (value is null) return new OptimizerConfig();
        if (value.Kind == JsonTokenType.String)
        {
            var kind = training.Choice<OptimizerKind>(value, "optimizer");
            return kind switch
            {
                OptimizerKind.Sgd => new OptimizerConfig(kind, SgdDefaultLearningRate),
                OptimizerKind.AdamW => new OptimizerConfig(kind, WeightDecay: AdamWDefaultWeightDecay),
                _ => new OptimizerConfig(kind),
            };
        }
        var optimizer = training.Child(value);
        var type = optimizer.Choice<OptimizerKind>("type", "optimizer", OptimizerKind.Adam);
        var defaults = new OptimizerConfig(type);
        const string positive = "a number > 0";
        Func<float, bool> isPositive = v => v > 0f;
        Func<float, bool> isFraction = v => v >= 0f && v < 1f;
        Func<float, bool> isNotNegative = v => v >= 0f;
        const string decay = "a weight decay >= 0";
        switch (type)
        {
            case OptimizerKind.Sgd:
            {
                optimizer.RejectUnknown(SgdFields, " for the sgd optimizer");
                var sgd = defaults with
                {
                    LearningRate = optimizer.Float("learningRate", SgdDefaultLearningRate, isPositive, positive),
                    Momentum = optimizer.Float("momentum", defaults.Momentum, isFraction, "a momentum in [0, 1)"),
                    Nesterov = optimizer.Bool("nesterov", false),
                };
                // As torch.optim.SGD: Nesterov's look-ahead is a step along the momentum, so it needs one.
                if (sgd.Nesterov && sgd.Momentum == 0f)
                    throw optimizer.Error(optimizer.Field("nesterov")!, "nesterov needs a momentum above 0 (set training.optimizer.momentum)");
                return sgd;
            }
            case OptimizerKind.RmsProp:
                optimizer.RejectUnknown(RmsPropFields, " for the rmsprop optimizer");
                return defaults with
                {
                    LearningRate = optimizer.Float("learningRate", defaults.LearningRate, isPositive, positive),
                    Rho = optimizer.Float("rho", defaults.Rho, isFraction, "a decay rate in [0, 1)"),
                    Epsilon = optimizer.Float("epsilon", defaults.Epsilon, isPositive, positive),
                };
            default:
                optimizer.RejectUnknown(AdamFields, $" for the {(type == OptimizerKind.AdamW ? "adamw" : "adam")} optimizer");
                return defaults with
                {
                    LearningRate = optimizer.Float("learningRate", defaults.LearningRate, isPositive, positive),
                    Beta1 = optimizer.Float("beta1", defaults.Beta1, isFraction, "a decay rate in [0, 1)"),
                    Beta2 = optimizer.Float("beta2", defaults.Beta2, isFraction, "a decay rate in [0, 1)"),
                    Epsilon = optimizer.Float("epsilon", defaults.Epsilon, isPositive, positive),
                    WeightDecay = optimizer.Float("weightDecay", type == OptimizerKind.AdamW ? AdamWDefaultWeightDecay : 0f, isNotNegative, decay),
                };
        }
    }
}
