using System.Text.Json.Nodes;
using Rnn.Math.LayerTypes;

namespace Rnn.Math.Config;

/// <summary>The whole config file: what to train, on what, and how. Field names follow docs/contract.md.</summary>
public sealed record RunConfig(ModelConfig Model, DataConfig Data, TrainingConfig Training)
{
    /// <summary>The folder of the config file; relative data paths resolve against it.</summary>
    public string BaseDirectory { get; init; } = ".";
}

/// <summary>`model`: the input width and the layer stack, in order.</summary>
public sealed record ModelConfig(int InputSize, IReadOnlyList<LayerConfig> Layers)
{
    /// <summary>
    /// The sizes a text model leaves to its data filled in with the vocabulary's <paramref name="size"/>: an
    /// embedding's inputDim and the last dense layer's units, where they are 0 (not written).
    /// </summary>
    public ModelConfig WithVocabulary(int size) => this with
    {
        Layers = [.. Layers.Select((layer, i) => layer switch
        {
            EmbeddingConfig { InputDim: 0 } embedding => embedding with { InputDim = size },
            DenseConfig { Units: 0 } dense when i == Layers.Count - 1 => dense with { Units = size },
            _ => layer,
        })],
    };

    /// <summary>The `model` object of a config file, which <see cref="ConfigLoader.ParseModel"/> reads back to an equal model.</summary>
    public JsonObject ToJson() => new()
    {
        ["inputSize"] = InputSize,
        ["layers"] = new JsonArray([.. Layers.Select(layer => layer.ToJson())]),
    };
}

public enum Activation { Linear, Tanh, Sigmoid, Relu, Softmax }

public enum DataSource { Csv, Safetensors, Synthetic, Text }

public enum SyntheticGenerator { Sine, Adding, Copy }

public enum Normalization { None, MinMax, ZScore }

/// <summary>`data`: where samples come from. Only the fields of the chosen <see cref="Source"/> are read.</summary>
public sealed record DataConfig(
    DataSource Source,
    string? Path = null,
    IReadOnlyList<string>? Columns = null,
    string? Target = null,
    int Timesteps = 0,
    int Horizon = 1,
    float ValidationSplit = 0f,
    Normalization Normalize = Normalization.None,
    SyntheticGenerator Generator = SyntheticGenerator.Sine,
    int Samples = 0,
    ulong Seed = 0,
    int Stride = 0,
    string? ValidationPath = null)
{
    /// <summary>`streams`: the streams a stateful model reads its windows as (docs/stateful.md); the loader makes it training.batchSize. 0 otherwise.</summary>
    public int Streams { get; init; }
}

public enum LossKind { Mse, Mae, CrossEntropy }

/// <summary>`training.metrics`: what each epoch reports besides its loss (<see cref="Losses.Metrics"/>).</summary>
public enum MetricKind { Accuracy, Perplexity, Mae, Mse, Rmse }

public enum OptimizerKind { Adam, Sgd, AdamW, RmsProp }

/// <summary>`training.optimizer`. Defaults are Keras's.</summary>
public sealed record OptimizerConfig(
    OptimizerKind Type = OptimizerKind.Adam,
    float LearningRate = 0.001f,
    float Beta1 = 0.9f,
    float Beta2 = 0.999f,
    float Epsilon = 1e-7f,
    float Momentum = 0f,
    float WeightDecay = 0f,
    bool Nesterov = false,
    float Rho = 0.9f);

public enum ScheduleKind { Step, Cosine, Plateau }

/// <summary>`training.schedule` (<see cref="Training.LearningRateSchedule"/>): only the fields of its <see cref="Type"/> are read.</summary>
public sealed record ScheduleConfig(
    ScheduleKind Type,
    int Every = 1,
    double Gamma = 0.1,
    int WarmupSteps = 0,
    double MinLearningRate = 0,
    string Monitor = "valLoss",
    double Factor = 0.5,
    int Patience = 5);

/// <summary>
/// `training.earlyStopping`, as Keras's EarlyStopping: the run stops once <see cref="Monitor"/> has not improved by
/// more than <see cref="MinDelta"/> for <see cref="Patience"/> epochs in a row; with <see cref="RestoreBest"/> the
/// model is the best epoch's weights.
/// </summary>
public sealed record EarlyStoppingConfig(string Monitor = "valLoss", int Patience = 5, double MinDelta = 0, bool RestoreBest = true);

/// <summary>
/// `training`. <see cref="ClipNorm"/> 0 means no clipping; <see cref="TruncatedBptt"/> 0 means full BPTT.
/// <see cref="MaxBadSteps"/> is how many steps in a row may be skipped for a loss, gradient or update that is not
/// finite before the run stops as diverged.
/// </summary>
public sealed record TrainingConfig(
    int Epochs = 1,
    int BatchSize = 32,
    LossKind Loss = LossKind.Mse,
    bool Shuffle = true,
    ulong Seed = 0,
    float ClipNorm = 0f,
    OptimizerConfig? Optimizer = null,
    int TruncatedBptt = 0,
    int GroupSize = TrainingConfig.DefaultGroupSize,
    int MaxBadSteps = TrainingConfig.DefaultMaxBadSteps)
{
    /// <summary>Samples per gradient group: the unit of work whose gradient is summed in a fixed order.</summary>
    public const int DefaultGroupSize = 4;

    public const int DefaultMaxBadSteps = 5;

    /// <summary>`metrics`: logged each epoch for the training data and, as `val` + name, for the validation data.</summary>
    public IReadOnlyList<MetricKind> Metrics { get; init; } = [];

    /// <summary>`schedule`: the learning rate step by step; null keeps the optimizer's.</summary>
    public ScheduleConfig? Schedule { get; init; }

    /// <summary>`earlyStopping`; null trains every epoch.</summary>
    public EarlyStoppingConfig? EarlyStopping { get; init; }

    public OptimizerConfig OptimizerOrDefault => Optimizer ?? new OptimizerConfig();
}
