using Rnn.Math.Config;
using Rnn.Math.Model;
using Rnn.Math.Training;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.PyTorch;

/// <summary>
/// One case written by tests/fixtures_generator/generate_fixtures.py: its config (`case.json`, OUR format) and its
/// tensors (`case.safetensors`: x, y, lengths where the samples differ in length, initial weights, output, loss,
/// grad.*, and the weights after the optimizer steps), with the model built from the config and driven the way a
/// training round drives it.
/// </summary>
public sealed class PyTorchCase
{
    /// <summary>Every case in the fixture folder, as theory data.</summary>
    public static TheoryData<string> All => new(Directory.GetFiles(FixtureFolders.Cases, "*.json")
        .Select(Path.GetFileNameWithoutExtension).Order().Select(name => name!));

    private PyTorchCase(string name)
    {
        Config = ConfigLoader.Load(Path.Combine(FixtureFolders.Cases, name + ".json"));
        Safetensors = SafeTensors.Read(Path.Combine(FixtureFolders.Cases, name + ".safetensors"));
        Network = new Network(Config.Model);
        Engine = new GradientEngine(Network, Config.Training.Loss, Config.Training.TruncatedBptt);
        int[] xShape = Safetensors.Get("x").Shape;
        Samples = xShape[0];
        Timesteps = xShape[1];
        Lengths = Safetensors.Contains("lengths") ? [.. Safetensors.Values("lengths").Select(length => (int)length)] : null;
    }

    public static PyTorchCase Load(string name) => new(name);

    public RunConfig Config { get; }

    public SafeTensorsFile Safetensors { get; }

    public Network Network { get; }

    public GradientEngine Engine { get; }

    public int Samples { get; }

    public int Timesteps { get; }

    /// <summary>Each sample's real steps, or null when all are whole.</summary>
    public int[]? Lengths { get; }

    /// <summary>The prefix of the weights after the optimizer steps, e.g. "adam3.".</summary>
    public string StepPrefix => Safetensors.Metadata["stepPrefix"];

    public int Steps => int.Parse(Safetensors.Metadata["steps"]);

    /// <summary>The flat parameter buffer in our layout, filled from the tensors named prefix + the name docs/contract.md gives.</summary>
    public float[] Parameters(string prefix = "") => Safetensors.Parameters(Network.Layout, prefix);

    /// <summary>The gradient of the minibatch mean loss on (x, y), and that loss.</summary>
    public (float[] Gradient, double Loss) MinibatchGradient(float[] parameters)
    {
        var minibatch = new ShardInput(Safetensors.Values("x"), Safetensors.Values("y"), Enumerable.Range(0, Samples).ToArray(), Samples, Timesteps)
        {
            Lengths = Lengths,
        };
        return PyTorch.MinibatchGradient.Of(Engine, Config.Training.GroupSize, minibatch, parameters);
    }
}
