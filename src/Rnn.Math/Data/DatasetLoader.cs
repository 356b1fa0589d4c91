using Rnn.Math.Config;
using Rnn.Math.Data.Synthetic;

namespace Rnn.Math.Data;

/// <summary>Loads the config's `data` from its source and checks it fits the model's input.</summary>
public static class DatasetLoader
{
    /// <summary>
    /// The dataset of <paramref name="config"/>, its validation part marked. Its features per timestep must
    /// equal `model.inputSize`; every problem with the data is an <see cref="InputException"/>.
    /// </summary>
    public static Dataset Load(RunConfig config)
    {
        var data = config.Data;
        int inputSize = config.Model.InputSize;
        return data.Source switch
        {
            DataSource.Csv => CsvDataset.Load(data, ResolvePath(config), inputSize),
            DataSource.Safetensors => SafeTensorsDataset.Load(ResolvePath(config), inputSize, config.Training.Loss, data.ValidationSplit),
            _ => Generate(data, inputSize),
        };
    }

    /// <summary>`data.path` made absolute: relative paths are relative to the config file's folder.</summary>
    public static string ResolvePath(RunConfig config)
        => Path.GetFullPath(Path.Combine(config.BaseDirectory, config.Data.Path ?? throw new InputException("data.path: missing")));

    private static Dataset Generate(DataConfig data, int inputSize)
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
        var dataset = data.Generator switch
        {
            SyntheticGenerator.Adding => AddingProblem.Generate(data.Samples, data.Timesteps, data.Seed),
            SyntheticGenerator.Copy => CopyMemory.Generate(data.Samples, data.Timesteps, data.Seed),
            _ => SineWaves.Generate(data.Samples, data.Timesteps, data.Seed),
        };
        return dataset with { TrainCount = ValidationSplit.RequireTrainCount(data.Samples, data.ValidationSplit, "samples") };
    }
}
