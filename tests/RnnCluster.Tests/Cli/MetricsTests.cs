using System.Text.Json;
using Rnn.Math.Losses;
using Rnn.Math.Training;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.Cli;

/// <summary>
/// `training.metrics` through the whole CLI: each epoch's line of metrics.jsonl, the progress line, the summary in
/// model.json, predict's class probabilities and `evaluate --json`, each checked against figures derived apart from
/// the code under test (perplexity from the logged loss, accuracy and errors from predict's outputs).
/// </summary>
public class MetricsTests
{
    private const int Samples = 64, Timesteps = 6, Classes = 3;

    private const string Classifier = """
        {
          "model": { "inputSize": 2, "layers": [ { "type": "lstm", "units": 8 }, { "type": "dense", "units": 3 } ] },
          "data": { "source": "safetensors", "path": "train.safetensors", "validationSplit": 0.25 },
          "training": { "epochs": 3, "batchSize": 8, "loss": "crossentropy", "seed": 5, "metrics": ["accuracy", "perplexity"],
                        "optimizer": { "type": "adam", "learningRate": 0.02 } }
        }
        """;

    private const string Regression = """
        {
          "model": { "inputSize": 2, "layers": [ { "type": "gru", "units": 6 }, { "type": "dense", "units": 2 } ] },
          "data": { "source": "safetensors", "path": "train.safetensors", "validationSplit": 0.25 },
          "training": { "epochs": 2, "batchSize": 8, "loss": "mse", "seed": 5, "metrics": ["mae", "mse", "rmse"] }
        }
        """;

    /// <summary>Inputs whose class (one per sequence, y [N]) is which of three ranges the first feature's sum falls in.</summary>
    private static (float[] X, float[] Classes, float[] Targets) Data()
    {
        var x = new float[Samples * Timesteps * 2];
        for (int i = 0; i < x.Length; i++) x[i] = CounterRandom.Uniform(11, 0, (ulong)i) * 2 - 1;
        var classes = new float[Samples];
        var targets = new float[Samples * 2];
        for (int s = 0; s < Samples; s++)
        {
            float sum = 0;
            for (int t = 0; t < Timesteps; t++) sum += x[(s * Timesteps + t) * 2];
            classes[s] = sum < -0.7f ? 0 : sum < 0.7f ? 1 : 2;
            targets[s * 2] = sum / Timesteps;
            targets[s * 2 + 1] = x[(s * Timesteps + Timesteps - 1) * 2 + 1];
        }
        return (x, classes, targets);
    }

    private static JsonElement[] Lines(string run)
        => File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToArray();

    private static JsonElement LastJson(CliRun run) => JsonDocument.Parse(run.Stdout.TrimEnd().Split('\n')[^1]).RootElement;

    /// <summary>The last quarter of the samples: what validationSplit 0.25 holds out.</summary>
    private static string WriteHeldOut(TempFolder folder, float[] x, float[] y, int yWidth)
    {
        int first = Samples * 3 / 4, count = Samples - first;
        var path = folder.File("held-out.safetensors");
        SafeTensors.Write(path, [
            new NamedTensor("x", [count, Timesteps, 2], x[(first * Timesteps * 2)..]),
            new NamedTensor("y", yWidth == 0 ? [count] : [count, yWidth], y[(first * System.Math.Max(1, yWidth))..])]);
        return path;
    }

    [Fact]
    public void A_classifier_logs_accuracy_and_perplexity_that_predict_and_evaluate_agree_with()
    {
        using var folder = new TempFolder();
        var (x, classes, _) = Data();
        var config = folder.Write("config.json", Classifier);
        SafeTensors.Write(folder.File("train.safetensors"), [new NamedTensor("x", [Samples, Timesteps, 2], x), new NamedTensor("y", [Samples], classes)]);
        var model = folder.File("run");

        var train = CliRun.Of("train", "--config", config, "--out", model, "--workers", "2");

        Assert.True(train.ExitCode == 0, train.Stderr);
        var lines = Lines(model);
        Assert.Equal(3, lines.Length);
        foreach (var line in lines)
        {
            Assert.Equal(System.Math.Exp(line.GetProperty("loss").GetDouble()), line.GetProperty("perplexity").GetDouble(), 12);
            Assert.Equal(System.Math.Exp(line.GetProperty("valLoss").GetDouble()), line.GetProperty("valPerplexity").GetDouble(), 12);
            Assert.InRange(line.GetProperty("accuracy").GetDouble(), 0, 1);
        }
        Assert.Equal(["epoch", "loss", "accuracy", "perplexity", "valLoss", "valAccuracy", "valPerplexity"],
            lines[0].EnumerateObject().Select(p => p.Name).Take(7));
        var last = lines[^1];
        Assert.Contains("accuracy ", train.Stdout);
        Assert.Contains("val_accuracy ", train.Stdout);
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "model.json"))))
            Assert.Equal(last.GetProperty("valAccuracy").GetDouble(), manifest.RootElement.GetProperty("training").GetProperty("metrics").GetProperty("valAccuracy").GetDouble());

        // Predict's probabilities on the held-out samples: their arg max scores as training's validation did.
        var heldOut = WriteHeldOut(folder, x, classes, yWidth: 0);
        var output = folder.File("probabilities.safetensors");
        Assert.Equal(0, CliRun.Of("predict", "--model", model, "--input", heldOut, "--output", output).ExitCode);
        var y = SafeTensors.Read(output).Get("y");
        Assert.Equal([16, Classes], y.Shape);
        var p = y.Data.ToArray();
        int right = 0;
        for (int s = 0; s < 16; s++)
        {
            Assert.Equal(1.0, p.AsSpan(s * Classes, Classes).ToArray().Sum(v => (double)v), 5);
            if (LossSums.ArgMax(p.AsSpan(s * Classes, Classes)) == classes[48 + s]) right++;
        }
        Assert.Equal(right / 16.0, last.GetProperty("valAccuracy").GetDouble());

        var evaluate = CliRun.Of("evaluate", "--model", model, "--input", heldOut, "--json");
        Assert.Equal(0, evaluate.ExitCode);
        var json = Assert.Single(evaluate.Stdout.TrimEnd().Split('\n'));
        var scores = JsonDocument.Parse(json).RootElement;
        Assert.Equal(last.GetProperty("valLoss").GetDouble(), scores.GetProperty("loss").GetDouble(), 9);
        Assert.Equal(right / 16.0, scores.GetProperty("accuracy").GetDouble());
        Assert.Equal(last.GetProperty("valPerplexity").GetDouble(), scores.GetProperty("perplexity").GetDouble(), 9);

        var csv = CliRun.Of("predict", "--model", model, "--input", heldOut).Stdout.Split('\n');
        Assert.Equal("sample,class,p_0,p_1,p_2", csv[0]);
        Assert.Equal(LossSums.ArgMax(p.AsSpan(0, Classes)).ToString(), csv[1].Split(',')[1]);
    }

    [Fact]
    public void Regression_errors_match_those_of_predicts_outputs()
    {
        using var folder = new TempFolder();
        var (x, _, targets) = Data();
        var config = folder.Write("config.json", Regression);
        SafeTensors.Write(folder.File("train.safetensors"), [new NamedTensor("x", [Samples, Timesteps, 2], x), new NamedTensor("y", [Samples, 2], targets)]);
        var model = folder.File("run");

        var train = CliRun.Of("train", "--config", config, "--out", model, "--workers", "1", "--quiet");

        Assert.True(train.ExitCode == 0, train.Stderr);
        var last = Lines(model)[^1];
        Assert.Equal(last.GetProperty("loss").GetDouble(), last.GetProperty("mse").GetDouble(), 6);
        Assert.Equal(last.GetProperty("valLoss").GetDouble(), last.GetProperty("valMse").GetDouble(), 6);
        Assert.Equal(System.Math.Sqrt(last.GetProperty("valMse").GetDouble()), last.GetProperty("valRmse").GetDouble(), 12);

        var heldOut = WriteHeldOut(folder, x, targets, yWidth: 2);
        var output = folder.File("y.safetensors");
        Assert.Equal(0, CliRun.Of("predict", "--model", model, "--input", heldOut, "--output", output).ExitCode);
        var predicted = SafeTensors.Read(output).Get("y").Data.ToArray();
        var errors = predicted.Select((v, i) => (double)v - targets[48 * 2 + i]).ToArray();
        Assert.Equal(errors.Average(System.Math.Abs), last.GetProperty("valMae").GetDouble(), 6);

        var scores = LastJson(CliRun.Of("evaluate", "--model", model, "--input", heldOut, "--json"));
        Assert.Equal(errors.Average(System.Math.Abs), scores.GetProperty("mae").GetDouble(), 6);
        Assert.Equal(System.Math.Sqrt(errors.Average(e => e * e)), scores.GetProperty("rmse").GetDouble(), 6);
    }

    [Fact]
    public void Accuracy_of_the_seed_example_is_keras_binary_accuracy_with_one_warning()
    {
        using var run = new RunFolder();
        var config = run.ConfigWith("\"seed\": 1 }", "\"seed\": 1, \"metrics\": [\"accuracy\"] }");

        var result = run.TrainWithConfig(config);

        Assert.Equal(0, result.ExitCode);
        var warning = Assert.Single(result.StderrLines);
        Assert.StartsWith("warning: training.metrics: accuracy with loss mse is Keras's binary accuracy", warning);
        var line = Lines(run.Out).Single();
        Assert.InRange(line.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.InRange(line.GetProperty("valAccuracy").GetDouble(), 0, 1);
    }
}
