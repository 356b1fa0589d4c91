using System.Text.Json.Nodes;
using Rnn.Math.Config;
using Rnn.Math.Model;
using Rnn.Math.Weights;
using RnnCluster.Coordinator.Output;
using RnnCluster.Tests.Cli;
using RnnCluster.Tests.Model;

namespace RnnCluster.Tests.Export;

/// <summary>
/// A model folder (model.json and model.safetensors) for a `model` config, with Keras-initialised weights plus
/// noise from a seed, so no bias is zero; and random inputs x [N, T, I] saved as a safetensors data file.
/// </summary>
internal sealed class SavedModel : IDisposable
{
    private readonly TempFolder folder = new();

    public SavedModel(string modelJson, string loss = "mse", ulong seed = 7)
    {
        var config = JsonNode.Parse($$"""
            {
              "model": {{modelJson}},
              "data": { "source": "safetensors", "path": "data.safetensors" },
              "training": { "loss": "{{loss}}", "seed": {{seed}} }
            }
            """)!.AsObject();
        Network = new Network(ConfigLoader.Parse(config.ToJsonString(), "config.json", folder.Path).Model);
        Directory.CreateDirectory(Folder);
        ModelWeights.Save(Path.Combine(Folder, ModelWeights.FileName), Network, ModelFactory.Parameters(Network, seed));
        new ModelManifest(config, null, null, 0, 0, null, new TrainingSummary(1, 0, null, 1, 1, Network.ParameterCount)).Save(Folder);
    }

    public Network Network { get; }

    public string Folder => folder.File("model");

    public string File(string name) => folder.File(name);

    /// <summary>x [samples, timesteps, I] uniform in ±1 from <paramref name="seed"/>, written to <paramref name="name"/>.</summary>
    public (string Path, float[] X) Inputs(string name, int samples, int timesteps, ulong seed = 11)
    {
        var x = ModelFactory.Uniform(samples * timesteps * Network.InputSize, seed, 1f);
        var path = folder.File(name);
        SafeTensors.Write(path, [new NamedTensor("x", [samples, timesteps, Network.InputSize], x)]);
        return (path, x);
    }

    /// <summary>`rnn-cluster export` of the model: the ONNX file's path.</summary>
    public string Export()
    {
        var onnx = folder.File("model.onnx");
        var run = CliRun.Of("export", "--model", Folder, "--onnx", onnx);
        Assert.True(run.ExitCode == 0, run.Stderr);
        return onnx;
    }

    /// <summary>`rnn-cluster predict` of the model on a safetensors input: its y and y's shape.</summary>
    public (float[] Y, int[] Shape) Predict(string input)
    {
        var output = folder.File(Path.GetFileNameWithoutExtension(input) + ".y.safetensors");
        var run = CliRun.Of("predict", "--model", Folder, "--input", input, "--output", output);
        Assert.True(run.ExitCode == 0, run.Stderr);
        var y = SafeTensors.Read(output).Get("y");
        return (y.Data.ToArray(), y.Shape);
    }

    public void Dispose() => folder.Dispose();
}
