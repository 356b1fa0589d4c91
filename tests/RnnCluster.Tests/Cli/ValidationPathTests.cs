using System.Globalization;
using System.Text.Json;
using Rnn.Math.Training;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.Cli;

/// <summary>
/// data.validationPath for each source: the file validates, read as the training data is read (a CSV normalised
/// with the training file's statistics, a text with its vocabulary), so the last epoch's valLoss is what
/// `evaluate` of the trained model gives on that file; and its bad input.
/// </summary>
public class ValidationPathTests
{
    private static JsonElement LastEpoch(string run) => JsonDocument.Parse(File.ReadAllLines(Path.Combine(run, "metrics.jsonl"))[^1]).RootElement;

    private static double EvaluatedLoss(string run, string input)
    {
        var result = CliRun.Of("evaluate", "--model", run, "--input", input, "--json");
        Assert.True(result.ExitCode == 0, result.Stderr);
        return JsonDocument.Parse(result.Stdout.Trim()).RootElement.GetProperty("loss").GetDouble();
    }

    private static CliRun Train(string config, string run) => CliRun.Of("train", "--config", config, "--out", run, "--workers", "2", "--quiet");

    [Fact]
    public void A_safetensors_validation_file_scores_as_evaluate_scores_it()
    {
        using var folder = new TempFolder();
        NamedTensor[] Data(ulong seed, int samples) =>
        [
            new("x", [samples, 5, 2], Enumerable.Range(0, samples * 10).Select(i => CounterRandom.Uniform(seed, (ulong)i) * 2 - 1).ToArray()),
            new("y", [samples, 1], Enumerable.Range(0, samples).Select(i => CounterRandom.Uniform(seed + 1, (ulong)i)).ToArray()),
        ];
        SafeTensors.Write(folder.File("train.safetensors"), Data(1, 40));
        SafeTensors.Write(folder.File("held-out.safetensors"), Data(5, 13));
        var config = folder.Write("config.json", """
            {
              "model": { "inputSize": 2, "layers": [ { "type": "gru", "units": 4 }, { "type": "dense", "units": 1 } ] },
              "data": { "source": "safetensors", "path": "train.safetensors", "validationPath": "held-out.safetensors" },
              "training": { "epochs": 3, "batchSize": 8, "seed": 2 }
            }
            """);
        var run = folder.File("run");

        var result = Train(config, run);

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal(EvaluatedLoss(run, folder.File("held-out.safetensors")), LastEpoch(run).GetProperty("valLoss").GetDouble(), 9);
    }

    [Fact]
    public void A_csv_validation_file_is_normalised_with_the_training_files_statistics()
    {
        using var folder = new TempFolder();
        string Series(double from, int rows) => "value\n" + string.Concat(Enumerable.Range(0, rows).Select(i =>
            (from + 10 * System.Math.Sin(i / 3.0)).ToString("0.###", CultureInfo.InvariantCulture) + "\n"));
        folder.Write("train.csv", Series(50, 60));
        folder.Write("later.csv", Series(58, 30));
        string Config(string validation) => $$"""
            {
              "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 4 }, { "type": "dense", "units": 1 } ] },
              "data": { "source": "csv", "path": "train.csv", "columns": ["value"], "target": "value", "timesteps": 4,
                        "normalize": "minmax"{{validation}} },
              "training": { "epochs": 2, "batchSize": 8, "seed": 2 }
            }
            """;
        var (withValidation, alone) = (folder.File("with"), folder.File("alone"));

        Assert.Equal(0, Train(folder.Write("with.json", Config(", \"validationPath\": \"later.csv\"")), withValidation).ExitCode);
        Assert.Equal(0, Train(folder.Write("alone.json", Config("")), alone).ExitCode);

        string Normalization(string run) => JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "model.json"))).RootElement.GetProperty("normalization").GetRawText();
        Assert.Equal(Normalization(alone), Normalization(withValidation));
        Assert.Equal(EvaluatedLoss(withValidation, folder.File("later.csv")), LastEpoch(withValidation).GetProperty("valLoss").GetDouble(), 6);
    }

    [Fact]
    public void A_text_validation_file_is_read_with_the_training_vocabulary_and_a_new_character_is_named()
    {
        using var folder = new TempFolder();
        folder.Write("train.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 12)));
        folder.Write("valid.txt", string.Concat(Enumerable.Repeat("the mat sat on the cat. ", 3)));
        folder.Write("new.txt", "the dog sat on the mat. the dog sat on the mat.");
        string Config(string validation) => $$"""
            {
              "model": { "layers": [ { "type": "embedding", "outputDim": 4 }, { "type": "gru", "units": 8, "returnSequences": true }, { "type": "dense" } ] },
              "data": { "source": "text", "path": "train.txt", "timesteps": 8, "validationPath": "{{validation}}" },
              "training": { "epochs": 2, "batchSize": 8, "loss": "crossentropy", "seed": 2 }
            }
            """;
        var run = folder.File("run");

        Assert.Equal(0, Train(folder.Write("valid.json", Config("valid.txt")), run).ExitCode);
        Assert.Equal(EvaluatedLoss(run, folder.File("valid.txt")), LastEpoch(run).GetProperty("valLoss").GetDouble(), 6);

        var refused = Train(folder.Write("new.json", Config("new.txt")), folder.File("refused"));
        Assert.Equal(2, refused.ExitCode);
        Assert.Equal("error: new.txt: character 'd' (U+0064) at position 4 is not in the model's vocabulary of 11 characters", refused.Stderr.Trim());
        Assert.Equal(11, "the cat sat on the mat. ".Distinct().Count());
    }

    [Fact]
    public void A_validation_split_beside_a_validation_file_is_refused()
    {
        using var run = new RunFolder();
        var config = run.ConfigWith("\"validationSplit\": 0.25,", "\"validationSplit\": 0.25, \"validationPath\": \"series.csv\",");

        var result = run.TrainWithConfig(config);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("data.validationPath: give the validation data as validationPath or validationSplit, not both", result.Stderr);
        run.AssertExistingModelUntouched();
    }
}
