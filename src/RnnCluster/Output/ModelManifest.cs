using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;

namespace RnnCluster.Coordinator.Output;

/// <summary>
/// model.json: everything predict and evaluate need besides the weights. The config is kept as the user
/// wrote it (with the --epochs override applied), so it reads like a config file and loads through the same
/// validating loader; the normalisation statistics are those fitted on the training part. A text model keeps its
/// <see cref="Vocabulary"/>: character k is token id k, and the sizes its config leaves out are its length.
/// </summary>
public sealed record ModelManifest(
    JsonObject Config,
    IReadOnlyList<string>? Columns,
    string? Target,
    int Timesteps,
    int Horizon,
    ScalingEntry? Normalization,
    TrainingSummary Training)
{
    /// <summary>The manifest's name in the run folder.</summary>
    public const string FileName = "model.json";

    /// <summary>A text model's vocabulary, one entry per token id; null for models of numbers.</summary>
    public IReadOnlyList<string>? Vocabulary { get; init; }

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        // The last epoch's losses may be NaN or infinite (every step skipped, a validation loss that overflowed).
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes the manifest into <paramref name="folder"/>, atomically.</summary>
    public void Save(string folder) =>
        AtomicFile.WriteAllText(Path.Combine(folder, FileName), JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>Reads a model folder's manifest; a missing or damaged one is the user's input error.</summary>
    public static ModelManifest Load(string folder)
    {
        var path = Path.Combine(folder, FileName);
        if (!File.Exists(path)) throw new InputException($"--model: '{folder}' holds no {FileName}; is it the --out folder of a finished train run?");
        try
        {
            return JsonSerializer.Deserialize<ModelManifest>(File.ReadAllText(path), Json)
                ?? throw new InputException($"{path}: expected a JSON object");
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}:{(e.LineNumber ?? 0) + 1}: not a valid model.json ({e.Message.Split('.')[0]})");
        }
    }

    /// <summary>The training config, validated as a config file; relative paths resolve against the model folder.</summary>
    public RunConfig RunConfig(string folder)
    {
        var config = ConfigLoader.Parse(Config.ToJsonString(), Path.Combine(folder, FileName) + " (config)", folder);
        if (config.Data.Source != DataSource.Text) return config;
        if (Vocabulary is not { Count: > 0 })
            throw new InputException($"{Path.Combine(folder, FileName)}: a model trained on text needs its vocabulary, and this one has none");
        return config with { Model = config.Model.WithVocabulary(Vocabulary.Count) };
    }
}

/// <summary>How the series was normalised: per feature column and for the target, value' = (value - offset) / scale.</summary>
public sealed record ScalingEntry(string Method, IReadOnlyList<ColumnScaling> Features, ColumnScaling Target)
{
    /// <summary>The scaling entry of <paramref name="method"/>; null when the data was not normalised.</summary>
    public static ScalingEntry? From(Normalization method, SeriesScaling? scaling) =>
        scaling is null ? null : new(method.ToString().ToLowerInvariant(), scaling.Features, scaling.Target);

    /// <summary>The statistics this entry holds, to scale new inputs and unscale predictions.</summary>
    public SeriesScaling ToScaling() => new(Features, Target);
}

/// <summary>
/// How the run went: what a user asks first about a model file. <see cref="Metrics"/> are the last epoch's; under
/// early stopping, <see cref="BestEpoch"/> is the best one (whose weights the model holds when they were restored)
/// and <see cref="StoppedEpoch"/> the epoch it stopped after, when it stopped before the last.
/// </summary>
public sealed record TrainingSummary(int Epochs, double Loss, double? ValLoss, double Seconds, int Workers, int Parameters,
    IReadOnlyDictionary<string, double>? Metrics = null, int? BestEpoch = null, int? StoppedEpoch = null);
