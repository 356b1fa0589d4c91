using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Model;
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

    private TrainedModel(RunConfig config, SeriesScaling scaling, Network network, float[] parameters)
    {
        Config = config;
        Scaling = scaling;
        Network = network;
        this.parameters = parameters;
        engine = new GradientEngine(network, config.Training.Loss, config.Training.TruncatedBptt);
    }

    public RunConfig Config { get; }

    public SeriesScaling Scaling { get; }

    public Network Network { get; }

    public string Target => Config.Data.Target!;

    public static TrainedModel Load(string folder)
    {
        var manifest = ModelManifest.Load(folder);
        var config = manifest.RunConfig(folder);
        if (config.Data.Source != DataSource.Csv || manifest.Normalization is null)
            throw new InputException($"--model: this model was trained on {config.Data.Source.ToString().ToLowerInvariant()} data; " +
                "predict and evaluate read CSV series, so they need a model trained on a csv source");
        var network = new Network(config.Model);
        var weights = ModelWeights.Load(Path.Combine(folder, ModelWeights.FileName), network, "--model");
        return new TrainedModel(config, manifest.Normalization.ToScaling(), network, weights);
    }

    /// <summary>The CSV's complete windows, built with the training run's columns, window and normalisation.</summary>
    public PredictionWindows Windows(string csvPath) => CsvPrediction.Load(csvPath, Config.Data, Scaling);

    /// <summary>Outputs per window, normalised as in training: (Windows, Network.OutputSize).</summary>
    public float[] PredictNormalised(PredictionWindows windows)
    {
        var output = new float[windows.Windows * Network.OutputSize];
        engine.Predict(parameters, windows.X, windows.Windows, windows.Timesteps, output);
        return output;
    }
}
