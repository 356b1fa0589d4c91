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
    /// for its vocabulary, is not read again. With <paramref name="writeTo"/>, data that is not a safetensors file
    /// of float32 x and y already is written there (CSV and text windows one at a time, from their series, never
    /// built whole) and mapped: the dataset's X and Y are that file's pages (<see cref="Dataset.MappedFile"/>).
    /// </summary>
    public static Dataset Load(RunConfig config, Action<DatasetSize>? beforeAllocating = null, TextCorpus? corpus = null, string? writeTo = null)
    {
        var heard = beforeAllocating ?? (_ => { });
        Action<DatasetSize> hear = writeTo is null ? heard : size => heard(size with { Mapped = true });
        if (config.Data.ValidationPath is not { } validationPath)
        {
            var whole = LoadFile(config, config.Data.Source == DataSource.Synthetic ? "" : ResolvePath(config), hear, corpus, null);
            return writeTo is null ? whole.Build() : whole.Write(writeTo);
        }
        // data.validationPath: the training file whole, then the validation file read as the training data was (a
        // CSV normalised with the training part's statistics, a text with its vocabulary), its samples after it.
        DatasetSize? trainSize = null;
        var train = LoadFile(config, ResolvePath(config), size => trainSize = size, corpus, null);
        var validationCorpus = config.Data.Source == DataSource.Text ? TextCorpus.Read(Resolve(config, validationPath), corpus?.Vocabulary) : null;
        var validation = LoadFile(config, Resolve(config, validationPath),
            size => hear(new DatasetSize(trainSize!.Value.Samples + size.Samples, trainSize.Value.Samples, size.Timesteps, size.Features)),
            validationCorpus, train.Shape.Scaling);
        string validationFile = Path.GetFileName(validationPath);
        RequireSameShape(train.Shape, validation.Shape, validationFile);
        if (writeTo is not null && train.Cut is { } trainWindows && validation.Cut is { } validationWindows)
            return WindowedSeries.Write(writeTo, trainWindows, validationWindows);
        var concatenated = Concatenated(train.Build(), validation.Build());
        return writeTo is null ? concatenated : WindowedSeries.Write(writeTo, WindowedSeries.Of(concatenated), null);
    }

    /// <summary>A file's samples: a dataset already (a safetensors file, generated data) or windows not cut yet (CSV, text).</summary>
    private readonly record struct Part(Dataset? Whole, WindowedSeries? Cut)
    {
        public Dataset Shape => Whole ?? Cut!.Shape;

        public Dataset Build() => Whole ?? Cut!.Build();

        /// <summary>Into <paramref name="path"/> and mapped, unless it is a mapped file of its own already.</summary>
        public Dataset Write(string path) => Whole is { MappedFile: not null } mapped
            ? mapped
            : WindowedSeries.Write(path, Cut ?? WindowedSeries.Of(Whole!), null);
    }

    /// <summary>The data of one file at <paramref name="path"/> (none for generated data).</summary>
    private static Part LoadFile(RunConfig config, string path, Action<DatasetSize> hear, TextCorpus? corpus, SeriesScaling? scaling)
    {
        var data = config.Data;
        int inputSize = config.Model.InputSize;
        return data.Source switch
        {
            DataSource.Csv => new Part(null, CsvDataset.Load(data, path, inputSize, hear, scaling)),
            DataSource.Safetensors => new Part(SafeTensorsDataset.Load(path, inputSize, config.Training.Loss, data.ValidationSplit,
                config.Model.Layers.FirstOrDefault() as EmbeddingConfig, hear), null),
            DataSource.Text => new Part(null, (corpus ?? TextCorpus.Read(path)).Windows(data.Timesteps, data.Stride, data.ValidationSplit, hear)),
            _ => new Part(Generate(data, inputSize, hear), null),
        };
    }

    /// <summary>The validation file's samples must have the training ones' shape.</summary>
    private static void RequireSameShape(Dataset train, Dataset validation, string validationFile)
    {
        if (validation.Timesteps != train.Timesteps || validation.Features != train.Features || validation.Targets != train.Targets
            || validation.SequenceTargets != train.SequenceTargets)
        {
            throw new InputException(string.Create(CultureInfo.InvariantCulture,
                $"data.validationPath: {validationFile} has samples of {validation.Timesteps} timesteps × {validation.Features} features with {validation.Targets} target(s) {(validation.SequenceTargets ? "a step" : "a sample")}; the training data has {train.Timesteps} × {train.Features} with {train.Targets} {(train.SequenceTargets ? "a step" : "a sample")}"));
        }
    }

    /// <summary>The training samples, then the validation file's, which validate.</summary>
    private static Dataset Concatenated(Dataset train, Dataset validation)
    {
        float[] Full(int samples) => [.. Enumerable.Repeat((float)train.Timesteps, samples)];
        float[]? lengths = train.Lengths is null && validation.Lengths is null
            ? null
            : [.. train.Lengths ?? Full(train.Samples), .. validation.Lengths ?? Full(validation.Samples)];
        return train with
        {
            X = (float[])[.. train.X.Span, .. validation.X.Span],
            Y = (float[])[.. train.Y.Span, .. validation.Y.Span],
            MappedFile = null,
            Samples = train.Samples + validation.Samples,
            TrainCount = train.Samples,
            Classes = System.Math.Max(train.Classes, validation.Classes),
            Lengths = lengths,
        };
    }

    /// <summary>`data.path` made absolute: relative paths are relative to the config file's folder.</summary>
    public static string ResolvePath(RunConfig config) => Resolve(config, config.Data.Path ?? throw new InputException("data.path: missing"));

    private static string Resolve(RunConfig config, string path) => Path.GetFullPath(Path.Combine(config.BaseDirectory, path));

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
