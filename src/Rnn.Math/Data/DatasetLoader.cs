using System.Globalization;
using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using Rnn.Math.Model;
using Rnn.Math.Data.Synthetic;

namespace Rnn.Math.Data;

/// <summary>Loads the config's `data` from its source and checks it fits the model's input.</summary>
public static class DatasetLoader
{
    /// <summary>
    /// The dataset of <paramref name="config"/>, its validation part marked. Its features per timestep must
    /// equal `model.inputSize`; every problem with the data is an <see cref="InputException"/>.
    /// <paramref name="beforeAllocating"/> hears the dataset's size before its arrays are made (for a csv series,
    /// before its windows; for generated data, before generating; a safetensors file is read whole first), so a
    /// caller can refuse a size the machine cannot hold. A text source's <paramref name="corpus"/>, read already
    /// for its vocabulary, is not read again.
    /// </summary>
    public static Dataset Load(RunConfig config, Action<DatasetSize>? beforeAllocating = null, TextCorpus? corpus = null)
    {
        var data = config.Data;
        int inputSize = config.Model.InputSize;
        var hear = beforeAllocating ?? (_ => { });
        return data.Source switch
        {
            DataSource.Csv => CsvDataset.Load(data, ResolvePath(config), inputSize, hear),
            DataSource.Safetensors => SafeTensorsDataset.Load(ResolvePath(config), inputSize, config.Training.Loss, data.ValidationSplit,
                config.Model.Layers.FirstOrDefault() as EmbeddingConfig, hear),
            DataSource.Text => (corpus ?? TextCorpus.Read(ResolvePath(config))).Windows(data.Timesteps, data.Stride, data.ValidationSplit, hear),
            _ => Generate(data, inputSize, hear),
        };
    }

    /// <summary>`data.path` made absolute: relative paths are relative to the config file's folder.</summary>
    public static string ResolvePath(RunConfig config)
        => Path.GetFullPath(Path.Combine(config.BaseDirectory, config.Data.Path ?? throw new InputException("data.path: missing")));

    private static Dataset Generate(DataConfig data, int inputSize, Action<DatasetSize> beforeAllocating)
    {
        int features = data.Generator switch
        {
            SyntheticGenerator.Adding => AddingProblem.Features,
            SyntheticGenerator.Copy => CopyMemory.Symbols,
            _ => 1,
        };
        if (features != inputSize)
        {
            throw new InputException(
                $"data.generator \"{data.Generator.ToString().ToLowerInvariant()}\" gives {features} features per timestep but model.inputSize is {inputSize}");
        }
        long values = (long)data.Samples * data.Timesteps * features;
        if (values > Array.MaxLength)
        {
            throw new InputException(string.Create(CultureInfo.InvariantCulture,
                $"data.samples: {data.Samples} is too large: {data.Samples:N0} samples × {data.Timesteps} timesteps × {features} features = {MemoryEstimate.Values(values)}, more than one array can hold ({Array.MaxLength:N0})"));
        }
        int trainCount = ValidationSplit.RequireTrainCount(data.Samples, data.ValidationSplit, "samples");
        beforeAllocating(new DatasetSize(data.Samples, trainCount, data.Timesteps, features));
        var dataset = data.Generator switch
        {
            SyntheticGenerator.Adding => AddingProblem.Generate(data.Samples, data.Timesteps, data.Seed),
            SyntheticGenerator.Copy => CopyMemory.Generate(data.Samples, data.Timesteps, data.Seed),
            _ => SineWaves.Generate(data.Samples, data.Timesteps, data.Seed),
        };
        return dataset with { TrainCount = trainCount };
    }
}
