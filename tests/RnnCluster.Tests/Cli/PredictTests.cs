using System.Text.Json;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.Cli;

public class PredictTests
{
    private const string Series = "value\n10\n20\n30\n40\n50\n";

    [Fact]
    public void WritesOneRowPerCompleteWindowInTheDataUnits()
    {
        using var model = new ModelFolder();
        var input = model.Write("series.csv", Series);
        var output = model.File("predictions.csv");

        var run = CliRun.Of("predict", "--model", model.Model, "--input", input, "--output", output);

        Assert.Equal(0, run.ExitCode);
        // Windows end on lines 4, 5 and 6; each predicts the next line, which the file has for the first two.
        Assert.Equal("target_line,prediction,actual\n5,30,40\n6,30,50\n,30,\n", File.ReadAllText(output));
    }

    [Fact]
    public void WithoutOutputTheCsvGoesToStdout()
    {
        using var model = new ModelFolder();
        var input = model.Write("series.csv", Series);

        var run = CliRun.Of("predict", "--model", model.Model, "--input", input);

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("target_line,prediction,actual\n5,30,40\n", run.Stdout);
    }

    [Fact]
    public void PlotOptionWritesAPng()
    {
        using var model = new ModelFolder();
        var input = model.Write("series.csv", Series);
        var plot = model.File("prediction.png");

        var run = CliRun.Of("predict", "--model", model.Model, "--input", input, "--output", model.File("p.csv"), "--plot", plot);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("PNG"u8.ToArray(), File.ReadAllBytes(plot)[1..4]);
    }

    [Fact]
    public void PlotOptionWritesAJpegWhenTheNameSaysJpg()
    {
        using var model = new ModelFolder();
        var input = model.Write("series.csv", Series);
        var plot = model.File("prediction.jpg");

        var run = CliRun.Of("predict", "--model", model.Model, "--input", input, "--output", model.File("p.csv"), "--plot", plot);

        Assert.Equal(0, run.ExitCode);
        // Every JPEG file starts with the start-of-image marker FF D8 and a marker FF.
        Assert.Equal(new byte[] { 0xFF, 0xD8, 0xFF }, File.ReadAllBytes(plot)[..3]);
    }

    [Fact]
    public void PlotOptionWithANameOfNoImageFormatExitsTwoBeforeWritingAnything()
    {
        using var model = new ModelFolder();
        var input = model.Write("series.csv", Series);

        var run = CliRun.Of("predict", "--model", model.Model, "--input", input, "--output", model.File("p.csv"), "--plot", model.File("prediction.gif"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --plot: 'prediction.gif' is not an image file name; expected one ending in .png, .jpg, .jpeg, .bmp, .webp\n", run.Stderr);
        Assert.False(File.Exists(model.File("p.csv")));
        Assert.False(File.Exists(model.File("prediction.gif")));
    }

    [Fact]
    public void EvaluatePrintsLossRmseMaeAndTheBaselineAsJsonLastLine()
    {
        using var model = new ModelFolder();
        var input = model.Write("series.csv", Series);

        var run = CliRun.Of("evaluate", "--model", model.Model, "--input", input);

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout.TrimEnd().Split('\n')[^1]);
        var result = json.RootElement;
        // Predictions 30 against 40 and 50: errors 10 and 20; normalised 0.5 against 0.75 and 1.0.
        Assert.Equal(2, result.GetProperty("windows").GetInt32());
        Assert.Equal(System.Math.Sqrt(250), result.GetProperty("rmse").GetDouble(), 4);
        Assert.Equal(15, result.GetProperty("mae").GetDouble(), 4);
        Assert.Equal((0.25 * 0.25 + 0.5 * 0.5) / 2, result.GetProperty("loss").GetDouble(), 5);
        // Persistence predicts 30 for 40 and 40 for 50.
        Assert.Equal(10, result.GetProperty("persistenceRmse").GetDouble(), 4);
    }

    [Fact]
    public void EvaluateScoresTheHeldOutTailSeparately()
    {
        using var model = new ModelFolder();
        var input = model.Write("series.csv", Series);

        var run = CliRun.Of("evaluate", "--model", model.Model, "--input", input);

        using var json = JsonDocument.Parse(run.Stdout.TrimEnd().Split('\n')[^1]);
        var heldOut = json.RootElement.GetProperty("heldOut");
        // Two known windows at validationSplit 0.25: training kept floor(1.5) = 1, so the tail is the window
        // predicting 50 (prediction 30, error 20; persistence says 40, error 10).
        Assert.Equal(1, heldOut.GetProperty("windows").GetInt32());
        Assert.Equal(20, heldOut.GetProperty("rmse").GetDouble(), 4);
        Assert.Equal(10, heldOut.GetProperty("persistenceRmse").GetDouble(), 4);
    }

    [Fact]
    public void QuietEvaluatePrintsOnlyTheJsonLine()
    {
        using var model = new ModelFolder();
        var input = model.Write("series.csv", Series);

        var run = CliRun.Of("evaluate", "--model", model.Model, "--input", input, "--quiet");

        var line = Assert.Single(run.Stdout.TrimEnd().Split('\n'));
        using var json = JsonDocument.Parse(line);
        Assert.Equal(2, json.RootElement.GetProperty("windows").GetInt32());
    }

    [Fact]
    public void EvaluateScoresASafetensorsTestSetWithTheTrainingLoss()
    {
        using var model = new ModelFolder();
        // The model outputs 0.5 (normalised units; a tensor test set is taken as it is): errors 0, -1 and 0.5.
        var input = model.File("test.safetensors");
        SafeTensors.Write(input, [
            new NamedTensor("x", [3, 3, 1], new float[9]),
            new NamedTensor("y", [3, 1], new[] { 0.5f, 1.5f, 0f })]);

        var run = CliRun.Of("evaluate", "--model", model.Model, "--input", input);

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout.TrimEnd().Split('\n')[^1]);
        Assert.Equal(3, json.RootElement.GetProperty("samples").GetInt32());
        Assert.Equal((0 + 1 + 0.25) / 3, json.RootElement.GetProperty("loss").GetDouble(), 6);
    }

    [Fact]
    public void PredictOnADamagedSafetensorsInputIsAUserErrorNamingTheFile()
    {
        using var model = new ModelFolder();

        var input = model.Write("test.safetensors", "tensors");

        var run = CliRun.Of("predict", "--model", model.Model, "--input", input);

        Assert.Equal(2, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.Contains("test.safetensors", run.Stderr);
    }

    [Fact]
    public void ModelFolderWithoutManifestIsAUserError()
    {
        using var model = new ModelFolder();
        var input = model.Write("series.csv", Series);
        File.Delete(Path.Combine(model.Model, "model.json"));

        var run = CliRun.Of("predict", "--model", model.Model, "--input", input);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("model.json", run.Stderr);
    }

    [Fact]
    public void InputWithoutTheTrainingColumnNamesIt()
    {
        using var model = new ModelFolder();
        var input = model.Write("series.csv", "other\n1\n2\n3\n4\n");

        var run = CliRun.Of("predict", "--model", model.Model, "--input", input);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("value", run.Stderr);
    }

    [Fact]
    public void ExistingOutputIsLeftAloneWhenPredictionFails()
    {
        using var model = new ModelFolder();
        var input = model.Write("series.csv", "value\n1\n");
        var output = model.Write("predictions.csv", "earlier predictions");

        var run = CliRun.Of("predict", "--model", model.Model, "--input", input, "--output", output);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("earlier predictions", File.ReadAllText(output));
    }
}
