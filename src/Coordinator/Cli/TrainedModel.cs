using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Export;
using Rnn.Math.LayerTypes;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;
using Rnn.Math.Weights;
using RnnCluster.Coordinator.Output;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// A finished run's model folder, loaded for inference: the config and statistics from model.json, the
/// weights from model.safetensors. Predictions come back in the data's own units.
/// </summary>
internal sealed class TrainedModel
{
    private readonly float[] parameters;
    private readonly GradientEngine engine;

    private readonly SeriesScaling? scaling;

    private TrainedModel(RunConfig config, SeriesScaling? scaling, Network network, float[] parameters)
    {
        Config = config;
        this.scaling = scaling;
        Network = network;
        this.parameters = parameters;
        engine = new GradientEngine(network, config.Training.Loss, config.Training.TruncatedBptt);
    }

    public RunConfig Config { get; }

    public Network Network { get; }

    public string Target => Config.Data.Target!;

    /// <summary>A text model's characters, id by id; null for any other model.</summary>
    public IReadOnlyList<string>? Vocabulary { get; private init; }

    public static TrainedModel Load(string folder)
    {
        var manifest = ModelManifest.Load(folder);
        var config = manifest.RunConfig(folder);
        var network = new Network(config.Model);
        var weights = ModelWeights.Load(Path.Combine(folder, ModelWeights.FileName), network, "--model");
        return new TrainedModel(config, manifest.Normalization?.ToScaling(), network, weights) { Vocabulary = manifest.Vocabulary };
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
        var ids = Enumerable.Range(0, dataset.Samples).ToArray();
        int groupSize = Config.Training.GroupSize;
        var losses = new LossSums[(dataset.Samples + groupSize - 1) / groupSize];
        var all = dataset.Gather(ids);
        engine.EvaluateGroups(parameters, all, groupSize, losses);
        var sums = losses.Aggregate((a, b) => a + b);
        double terms = engine.LossTerms(all, 0, dataset.Samples);
        return (dataset.Samples, sums.Loss / terms, Metrics.Values(Config.Training.Metrics, sums, terms, Metrics.Name).ToList());
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
        int samples = x.Shape[0], timesteps = x.Shape[1], features = x.Shape[2];
        if (Config.Model.Layers[0] is EmbeddingConfig embedding) SafeTensorsDataset.RequireIds(file.FileName, x, embedding.InputDim);
        int[]? lengths = SafeTensorsDataset.Lengths(file, samples, timesteps)?.Select(length => (int)length).ToArray();
        var input = x.Data.ToArray();
        if (scaling is not null)
            for (int e = 0; e < input.Length; e++)
                input[e] = scaling.Features[e % features].Apply(input[e]);
        int[] shape = Network.OutputIsSequence ? [samples, timesteps, Network.OutputSize] : [samples, Network.OutputSize];
        var outputs = new float[shape.Aggregate(1, (product, d) => product * d)];
        engine.Predict(parameters, input, samples, timesteps, outputs, lengths);
        if (scaling is not null)
            for (int e = 0; e < outputs.Length; e++)
                outputs[e] = scaling.Target.Undo(outputs[e]);
        return (outputs, shape);
    }

    /// <summary>A text model's probabilities for the character after <paramref name="context"/> (token ids), one per vocabulary entry.</summary>
    public float[] NextCharacter(int[] context)
    {
        int classes = Network.OutputSize;
        var outputs = new float[context.Length * classes];
        engine.Predict(parameters, [.. context.Select(id => (float)id)], 1, context.Length, outputs);
        return outputs[^classes..];
    }

    /// <summary>The model as standard ONNX operators, with the normalisation of a CSV-trained model in the graph.</summary>
    public byte[] ToOnnx() => OnnxExport.ToBytes(Network, parameters, scaling, Config.Training.Loss);

    /// <summary>Outputs per window, normalised as in training: (Windows, Network.OutputSize).</summary>
    public float[] PredictNormalised(PredictionWindows windows)
    {
        var output = new float[windows.Windows * Network.OutputSize];
        engine.Predict(parameters, windows.X, windows.Windows, windows.Timesteps, output);
        return output;
    }
}
