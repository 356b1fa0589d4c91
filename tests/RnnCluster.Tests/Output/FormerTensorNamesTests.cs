using System.Text.RegularExpressions;
using Rnn.Math.Weights;
using RnnCluster.Coordinator.Output;
using RnnCluster.Tests.Cli;
using RnnCluster.Tests.Export;

namespace RnnCluster.Tests.Output;

/// <summary>Weights files written before the PyTorch names (layers.i.weight_ih, without _l0) still load, with the same values.</summary>
public class FormerTensorNamesTests
{
    private const string Model = """{ "inputSize": 2, "layers": [ { "type": "lstm", "units": 3 }, { "type": "dense", "units": 1 } ] }""";

    /// <summary>The model's own weights file with every recurrent tensor renamed to its former name.</summary>
    private static void RenameToFormerNames(string path)
    {
        var file = SafeTensors.Read(path);
        SafeTensors.Write(path, file.Tensors.Select(t => t with { Name = Regex.Replace(t.Name, "_l0$", "") }).ToList());
    }

    [Fact]
    public void ModelFolderWithFormerNames_PredictsTheSame()
    {
        using var saved = new SavedModel(Model);
        var (input, _) = saved.Inputs("x.safetensors", samples: 3, timesteps: 4);
        var before = CliRun.Of("predict", "--model", saved.Folder, "--input", input);
        RenameToFormerNames(Path.Combine(saved.Folder, ModelWeights.FileName));
        Assert.Contains("layers.0.weight_ih", SafeTensors.Read(Path.Combine(saved.Folder, ModelWeights.FileName)).Tensors.Select(t => t.Name));

        var after = CliRun.Of("predict", "--model", saved.Folder, "--input", input);

        Assert.Equal(0, after.ExitCode);
        Assert.Equal(before.Stdout, after.Stdout);
    }

    [Fact]
    public void BothNamesOfOneTensor_AreRefused()
    {
        using var saved = new SavedModel(Model);
        var path = Path.Combine(saved.Folder, ModelWeights.FileName);
        var file = SafeTensors.Read(path);
        SafeTensors.Write(path, [.. file.Tensors, file.Get("layers.0.bias_hh_l0") with { Name = "layers.0.bias_hh" }]);
        var (input, _) = saved.Inputs("x.safetensors", samples: 1, timesteps: 2);

        var run = CliRun.Of("predict", "--model", saved.Folder, "--input", input);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("tensors layers.0.bias_hh_l0 and layers.0.bias_hh are the same tensor; keep one", run.Stderr);
    }
}
