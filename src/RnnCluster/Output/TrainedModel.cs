using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Export;
using Rnn.Math.LayerTypes;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;
using Rnn.Math.Weights;
namespace RnnCluster.Coordinator.Output;

/// <summary>
/// A trained model for inference: a finished run's model folder (the config and statistics from model.json, the
/// weights from model.safetensors), or a fit's result. Predictions come back in the data's own units. The CLI's
/// predict, evaluate, generate and export and the C# API's Predict and Evaluate all score through it. A stateful
/// model (docs/stateful.md) reads a file's windows as training read its data, as streams carrying their state
/// (<see cref="Streams"/>), and a CSV series as one stream of windows that follow each other.
/// </summary>
public sealed class TrainedModel
{
    private readonly GradientEngine engine;

    private readonly SeriesScaling? scaling;

    /// <param name="config">The run's config.</param>
    /// <param name="scaling">The normalisation fitted on the training data; null when it was not normalised.</param>
    /// <param name="parameters">The weights, in the model's flat parameter layout.</param>
    public TrainedModel(RunConfig config, SeriesScaling? scaling, float[] parameters)
    {
        Config = config;
        this.scaling = scaling;
        Network = new Network(config.Model);
        Parameters = parameters;
        engine = new GradientEngine(Network, config.Training.Loss, config.Training.TruncatedBptt);
    }

    /// <summary>The run's config.</summary>
    public RunConfig Config { get; }

    /// <summary>The model the config describes.</summary>
    public Network Network { get; }

    /// <summary>The weights, in the model's flat parameter layout.</summary>
    public float[] Parameters { get; }

    /// <summary>The normalisation entry model.json keeps; null when the data was not normalised.</summary>
    public ScalingEntry? Scaling => ScalingEntry.From(Config.Data.Normalize, scaling);

    /// <summary>Whether the model carries a state from one window to the next.</summary>
    public bool IsStateful => Network.StateWidth > 0;

    /// <summary>A stateful model's streams over <paramref name="windows"/> windows: its training's count, or one per window when there are fewer.</summary>
    public StreamLayout Streams(int windows) => new(windows, System.Math.Min(Config.Training.BatchSize, windows));

    /// <summary>The name of the column a CSV-trained model predicts.</summary>
    public string Target => Config.Data.Target!;

    /// <summary>A text model's characters, id by id; null for any other model.</summary>
    public IReadOnlyList<string>? Vocabulary { get; private init; }

    /// <summary>The model in <paramref name="folder"/>, as <c>train</c> or the C# API's Save wrote it.</summary>
    public static TrainedModel Load(string folder) => Load(folder, ModelManifest.Load(folder));

    /// <summary>The model in <paramref name="folder"/>, whose <paramref name="manifest"/> is already read.</summary>
    public static TrainedModel Load(string folder, ModelManifest manifest)
    {
        var config = manifest.RunConfig(folder);
        var weights = ModelWeights.Load(Path.Combine(folder, ModelWeights.FileName), new Network(config.Model), "--model");
        return new TrainedModel(config, manifest.Normalization?.ToScaling(), weights) { Vocabulary = manifest.Vocabulary };
    }

    /// <summary>The CSV's complete windows, built with the training run's columns, window and normalisation.</summary>
    public PredictionWindows Windows(string csvPath)
    {
        if (Config.Data.Source != DataSource.Csv || scaling is null)
            throw new InputException($"--model: this model was trained on {Config.Data.Source.ToString().ToLowerInvariant()} data; " +
                "a CSV series needs a model trained on a csv source (evaluate also scores a safetensors x/y test set, with any model)");
        return CsvPrediction.Load(csvPath, Config.Data, scaling);
    }

    /// <summary>
    /// A safetensors file of x [N, T, I] and y, or for a text model a text file cut into its training windows,
    /// checked as training checks its data, scored as training scores validation: the mean loss over every sample
    /// (and timestep and output), without dropout, and the run's metrics.
    /// </summary>
    public (int Samples, double Loss, IReadOnlyList<KeyValuePair<string, double>> Metrics) Evaluate(string path)
    {
        bool text = Config.Data.Source == DataSource.Text && !Path.GetExtension(path).Equals(".safetensors", StringComparison.OrdinalIgnoreCase);
        var data = Config.Data with { Source = text ? DataSource.Text : DataSource.Safetensors, Path = Path.GetFullPath(path), ValidationSplit = 0, ValidationPath = null };
        var corpus = text ? TextCorpus.Read(data.Path, Vocabulary) : null;
        var dataset = DatasetLoader.Load(Config with { Data = data, BaseDirectory = "." }, corpus: corpus);
        OutputCheck.Require(dataset, Network.OutputSize, Network.OutputIsSequence, Config.Training.Loss);
        var (loss, metrics) = Score(dataset.Gather([.. Enumerable.Range(0, dataset.Samples)]));
        return (dataset.Samples, loss, metrics);
    }

    /// <summary>Every sample of <paramref name="all"/> scored as training scores validation: the mean loss, without dropout, and the run's metrics.</summary>
    public (double Loss, IReadOnlyList<KeyValuePair<string, double>> Metrics) Score(ShardInput all)
    {
        int groupSize = Config.Training.GroupSize;
        LossSums[] losses;
        if (IsStateful) losses = StreamSums(all, groupSize);
        else
        {
            losses = new LossSums[(all.Count + groupSize - 1) / groupSize];
            engine.EvaluateGroups(Parameters, all, groupSize, losses);
        }
        var sums = losses.Aggregate((a, b) => a + b);
        double terms = engine.LossTerms(all, 0, all.Count);
        return (sums.Loss / terms, Metrics.Values(Config.Training.Metrics, sums, terms, Metrics.Name).ToList());
    }

    /// <summary>A stateful model's sums over <paramref name="all"/>'s windows read as streams, a group of streams at a time, as validation takes them.</summary>
    private LossSums[] StreamSums(ShardInput all, int groupSize)
    {
        var streams = Streams(all.Count);
        var losses = new LossSums[(streams.Count + groupSize - 1) / groupSize];
        int width = all.Y.Length / all.Count;
        for (int g = 0; g < losses.Length; g++)
            losses[g] = StreamPasses.Evaluate(engine, Parameters, streams, g * groupSize, System.Math.Min((g + 1) * groupSize, streams.Count),
                (ids, _) => ShardInput.Gather(all.X, all.Y, all.Timesteps, Network.InputSize, width, ids,
                    all.Lengths is null ? default : [.. all.Lengths.Select(length => (float)length)]));
        return losses;
    }

    /// <summary>
    /// The outputs for every sample of a safetensors file's x [N, T, I]: (N, O) or (N, T, O) values. A CSV-trained
    /// model takes x and gives its outputs in the data's units (x normalised, outputs brought back), as its ONNX
    /// export does; any other model takes x as it is.
    /// </summary>
    public (float[] Outputs, int[] Shape) PredictTensors(string safetensorsPath)
    {
        var file = SafeTensors.Read(safetensorsPath);
        var x = SafeTensorsDataset.Inputs(file, Network.InputSize, tokens: Config.Model.Layers[0] is EmbeddingConfig);
        int samples = x.Shape[0], timesteps = x.Shape[1];
        if (Config.Model.Layers[0] is EmbeddingConfig embedding) SafeTensorsDataset.RequireIds(file.FileName, x, embedding.InputDim);
        int[]? lengths = SafeTensorsDataset.Lengths(file, samples, timesteps)?.Select(length => (int)length).ToArray();
        return Predict(x.Data.ToArray(), samples, timesteps, lengths);
    }

    /// <summary>
    /// The outputs for <paramref name="input"/> (samples, timesteps, features), which this call may overwrite:
    /// (N, O) or (N, T, O) values in the data's units, class probabilities for a cross-entropy model.
    /// </summary>
    public (float[] Outputs, int[] Shape) Predict(float[] input, int samples, int timesteps, int[]? lengths = null)
    {
        int features = Network.InputSize;
        if (scaling is not null)
            for (int e = 0; e < input.Length; e++)
                input[e] = scaling.Features[e % features].Apply(input[e]);
        int[] shape = Network.OutputIsSequence ? [samples, timesteps, Network.OutputSize] : [samples, Network.OutputSize];
        var outputs = new float[shape.Aggregate(1, (product, d) => product * d)];
        if (IsStateful) StreamPasses.Predict(engine, Parameters, input, timesteps, outputs, Streams(samples), lengths);
        else engine.Predict(Parameters, input, samples, timesteps, outputs, lengths);
        if (scaling is not null)
            for (int e = 0; e < outputs.Length; e++)
                outputs[e] = scaling.Target.Undo(outputs[e]);
        return (outputs, shape);
    }

    /// <summary>
    /// A text model's probabilities for the character after <paramref name="context"/> (token ids), one per vocabulary
    /// entry. A stateful model reads the context from <paramref name="state"/> (its width is the network's StateWidth)
    /// and leaves there the state it ends with, so generation goes on one character at a time; null starts from zero.
    /// </summary>
    public float[] NextCharacter(int[] context, float[]? state = null)
    {
        int classes = Network.OutputSize;
        var outputs = new float[context.Length * classes];
        engine.Predict(Parameters, [.. context.Select(id => (float)id)], 1, context.Length, outputs, states: state);
        if (state is not null) engine.SaveState(state, 1);
        return outputs[^classes..];
    }

    /// <summary>The model as standard ONNX operators, with the normalisation of a CSV-trained model in the graph.</summary>
    public byte[] ToOnnx() => OnnxExport.ToBytes(Network, Parameters, scaling, Config.Training.Loss);

    /// <summary>Outputs per window, normalised as in training: (Windows, Network.OutputSize); a stateful model reads the windows as one stream.</summary>
    public float[] PredictNormalised(PredictionWindows windows)
    {
        var output = new float[windows.Windows * Network.OutputSize];
        if (IsStateful) StreamPasses.Predict(engine, Parameters, windows.X, windows.Timesteps, output, new StreamLayout(windows.Windows, 1));
        else engine.Predict(Parameters, windows.X, windows.Windows, windows.Timesteps, output);
        return output;
    }
}
