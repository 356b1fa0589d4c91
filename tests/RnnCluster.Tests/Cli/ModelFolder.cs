using System.Text.Json.Nodes;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Model;
using RnnCluster.Coordinator.Output;

namespace RnnCluster.Tests.Cli;

/// <summary>
/// A model folder whose predictions are known without running it: a one-unit tanh rnn with zero weights
/// (its state stays 0) feeding a dense layer with zero weight and bias 0.5, so every window predicts 0.5,
/// which min-max scaling with offset 10 and scale 40 turns into 30 in the data's units.
/// </summary>
internal sealed class ModelFolder : IDisposable
{
    public const float Prediction = 30f;

    private const string Config = """
        {
          "model": { "inputSize": 1, "layers": [ { "type": "rnn", "units": 1 }, { "type": "dense", "units": 1 } ] },
          "data": { "source": "csv", "path": "series.csv", "columns": ["value"], "target": "value",
                    "timesteps": 3, "horizon": 1, "validationSplit": 0.25, "normalize": "minmax" },
          "training": { "epochs": 1, "batchSize": 4, "loss": "mse", "seed": 1 }
        }
        """;

    private readonly TempFolder folder = new();

    public ModelFolder()
    {
        var config = ConfigLoader.Parse(Config, "config.json", folder.Path);
        var network = new Network(config.Model);
        var weights = new float[network.ParameterCount];
        network.Layout["layers.1.bias"].Of(weights.AsSpan())[0] = 0.5f;
        Directory.CreateDirectory(Model);
        ModelWeights.Save(Path.Combine(Model, ModelWeights.FileName), network, weights);
        var scaling = new ColumnScaling("value", 10, 40);
        new ModelManifest((JsonObject)JsonNode.Parse(Config)!, ["value"], "value", 3, 1,
            new ScalingEntry("minmax", [scaling], scaling), new TrainingSummary(1, 0.1, 0.2, 1, 1, network.ParameterCount)).Save(Model);
    }

    public string Model => folder.File("model");

    public string Write(string name, string content) => folder.Write(name, content);

    public string File(string name) => folder.File(name);

    public void Dispose() => folder.Dispose();
}
