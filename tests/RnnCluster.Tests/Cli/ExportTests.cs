using RnnCluster.Tests.Export;

namespace RnnCluster.Tests.Cli;

/// <summary>export's user errors: one line and exit code 2, and nothing left behind.</summary>
public class ExportTests
{
    [Fact]
    public void MissingModelFolder_ExitsTwo()
    {
        using var folder = new TempFolder();

        var run = CliRun.Of("export", "--model", folder.File("nowhere"), "--onnx", folder.File("model.onnx"));

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: --model: folder not found:", run.Stderr);
        Assert.False(File.Exists(folder.File("model.onnx")));
    }

    [Fact]
    public void UnwritablePath_ExitsTwoNamingIt()
    {
        using var saved = new SavedModel("""{ "inputSize": 1, "layers": [ { "type": "rnn", "units": 2 }, { "type": "dense", "units": 1 } ] }""");
        var notAFolder = saved.File("file.txt");
        File.WriteAllText(notAFolder, "a file, not a folder");

        var run = CliRun.Of("export", "--model", saved.Folder, "--onnx", Path.Combine(notAFolder, "model.onnx"));

        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.StartsWith($"error: --onnx: cannot write '{Path.Combine(notAFolder, "model.onnx")}'", run.Stderr);
    }
}
