using System.Text.Json;

namespace RnnCluster.Tests.Cli;

/// <summary>A real, tiny training run through the CLI: what it writes and what it prints.</summary>
public class TrainTests
{
    [Fact]
    public void SuccessfulRunWritesModelMetricsConfigAndLossPlot()
    {
        using var run = new RunFolder();
        var output = run.File("fresh");

        var result = CliRun.Of("train", "--config", run.Config, "--out", output, "--workers", "1", "--epochs", "2", "--quiet");

        Assert.Equal(0, result.ExitCode);
        foreach (var name in new[] { "model.safetensors", "model.json", "metrics.jsonl", "loss.png", "config.json" })
            Assert.True(File.Exists(Path.Combine(output, name)), $"{name} is missing");
        Assert.Equal(2, File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Length);
    }

    [Fact]
    public void ModelJsonKeepsWhatPredictNeeds()
    {
        using var run = new RunFolder();
        var output = run.File("fresh");

        CliRun.Of("train", "--config", run.Config, "--out", output, "--workers", "1", "--epochs", "2", "--quiet");

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "model.json")));
        var root = manifest.RootElement;
        Assert.Equal("value", root.GetProperty("columns")[0].GetString());
        Assert.Equal(3, root.GetProperty("timesteps").GetInt32());
        Assert.Equal("minmax", root.GetProperty("normalization").GetProperty("method").GetString());
        Assert.Equal(2, root.GetProperty("config").GetProperty("training").GetProperty("epochs").GetInt32());
        Assert.Equal(2, root.GetProperty("training").GetProperty("epochs").GetInt32());
    }

    [Fact]
    public void PredictReadsWhatTrainWrote()
    {
        using var run = new RunFolder();
        var output = run.File("fresh");
        CliRun.Of("train", "--config", run.Config, "--out", output, "--workers", "1", "--epochs", "1", "--quiet");

        var result = CliRun.Of("predict", "--model", output, "--input", run.File("series.csv"));

        Assert.Equal(0, result.ExitCode);
        // 20 rows make 18 windows of 3; the last one's target lies past the end of the file.
        Assert.Equal(1 + 18, result.Stdout.TrimEnd().Split('\n').Length);
    }

    [Fact]
    public void AnEarlierRunsModelServesAsInitWeights()
    {
        using var run = new RunFolder();
        var first = run.File("first");
        CliRun.Of("train", "--config", run.Config, "--out", first, "--workers", "1", "--epochs", "1", "--quiet");

        var result = CliRun.Of("train", "--config", run.Config, "--out", run.File("second"), "--workers", "1", "--epochs", "1",
            "--init-weights", Path.Combine(first, "model.safetensors"), "--quiet");

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public void OutsideATerminalEachEpochIsOnePlainLine()
    {
        using var run = new RunFolder();

        var result = CliRun.Of("train", "--config", run.Config, "--out", run.File("fresh"), "--workers", "1", "--epochs", "2");

        var lines = result.Stdout.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("epoch 1/2  loss ", lines[0]);
        Assert.StartsWith("epoch 2/2  loss ", lines[1]);
        Assert.StartsWith("trained 2 epochs", lines[2]);
    }

    [Fact]
    public void QuietPrintsOnlyTheSummaryLine()
    {
        using var run = new RunFolder();

        var result = CliRun.Of("train", "--config", run.Config, "--out", run.File("fresh"), "--workers", "1", "--epochs", "2", "--quiet");

        Assert.Equal(0, result.ExitCode);
        Assert.Single(result.Stdout.TrimEnd().Split('\n'));
        Assert.Equal("", result.Stderr);
    }

    [Fact]
    public void CancelledRunExitsOneAndLeavesTheExistingModelUntouched()
    {
        using var run = new RunFolder();

        var result = CliRun.Cancelled("train", "--config", run.Config, "--out", run.Out, "--workers", "1", "--quiet");

        Assert.Equal(1, result.ExitCode);
        run.AssertExistingModelUntouched();
    }
}
