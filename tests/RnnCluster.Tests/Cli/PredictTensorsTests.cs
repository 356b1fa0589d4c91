using Rnn.Math.Weights;
using RnnCluster.Tests.Export;

namespace RnnCluster.Tests.Cli;

/// <summary>predict on a safetensors x [N, T, I]: the outputs of every sample, as a safetensors y or as CSV rows.</summary>
public class PredictTensorsTests
{
    private const string ManyToMany = """{ "inputSize": 2, "layers": [ { "type": "gru", "units": 3, "returnSequences": true }, { "type": "dense", "units": 2 } ] }""";

    [Fact]
    public void ToSafetensors_WritesYWithOneRowPerSample_InTheDatasUnits()
    {
        using var model = new ModelFolder();
        var input = model.File("x.safetensors");
        SafeTensors.Write(input, [new NamedTensor("x", [4, 3, 1], Enumerable.Range(0, 12).Select(v => v * 5f).ToArray())]);
        var output = model.File("y.safetensors");

        var run = CliRun.Of("predict", "--model", model.Model, "--input", input, "--output", output);

        Assert.Equal(0, run.ExitCode);
        var y = SafeTensors.Read(output).Get("y");
        Assert.Equal([4, 1], y.Shape);
        Assert.All(y.Data.ToArray(), value => Assert.Equal(ModelFolder.Prediction, value));
    }

    [Fact]
    public void ToCsv_ManyToMany_WritesARowPerSampleAndTimestep()
    {
        using var saved = new SavedModel(ManyToMany);
        var (input, _) = saved.Inputs("x.safetensors", samples: 2, timesteps: 3);
        var tensors = saved.File("y.safetensors");
        Assert.Equal(0, CliRun.Of("predict", "--model", saved.Folder, "--input", input, "--output", tensors).ExitCode);
        var y = SafeTensors.Read(tensors).Get("y").Data.ToArray();

        var run = CliRun.Of("predict", "--model", saved.Folder, "--input", input);

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.TrimEnd().Split('\n');
        Assert.Equal("sample,timestep,prediction_0,prediction_1", lines[0]);
        Assert.Equal(["0,0", "0,1", "0,2", "1,0", "1,1", "1,2"], lines[1..].Select(line => string.Join(',', line.Split(',')[..2])));
        var csvValues = lines[1..].SelectMany(line => line.Split(',')[2..]).Select(float.Parse).ToArray();
        Assert.Equal(y, csvValues, (a, b) => MathF.Abs(a - b) <= 1e-6f * MathF.Max(1f, MathF.Abs(a)));
    }

    [Fact]
    public void XWithTheWrongFeatureCount_IsRefusedNamingTheTensor()
    {
        using var saved = new SavedModel(ManyToMany);
        var input = saved.File("x.safetensors");
        SafeTensors.Write(input, [new NamedTensor("x", [2, 3, 5], new float[30])]);

        var run = CliRun.Of("predict", "--model", saved.Folder, "--input", input);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: x.safetensors: tensor \"x\" has 5 features per timestep but model.inputSize is 2", run.Stderr.TrimEnd());
    }

    [Fact]
    public void Plot_IsRefusedForTensors()
    {
        using var saved = new SavedModel(ManyToMany);
        var (input, _) = saved.Inputs("x.safetensors", samples: 2, timesteps: 3);

        var run = CliRun.Of("predict", "--model", saved.Folder, "--input", input, "--plot", saved.File("p.png"));

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: --plot draws a CSV series", run.Stderr);
    }
}
