using Rnn.Math.Weights;

namespace RnnCluster.Tests.Cli;

/// <summary>
/// Issue 4's bad inputs, through the whole CLI: each exits 2 with a short message that names the culprit,
/// prints no stack trace, and leaves the model already in --out byte-identical.
/// </summary>
public class BadInputTests
{
    private static void AssertUserError(RunFolder run, CliRun result, params string[] culprits)
    {
        Assert.Equal(2, result.ExitCode);
        Assert.True(result.StderrLines.Length is > 0 and <= 25, $"expected 1 to 25 lines, got:\n{result.Stderr}");
        Assert.DoesNotContain("   at ", result.Stderr);
        foreach (var culprit in culprits) Assert.Contains(culprit, result.Stderr);
        run.AssertExistingModelUntouched();
    }

    [Fact]
    public void ControlCharactersOfBinaryInputAreEscapedInTheMessage()
    {
        using var run = new RunFolder();
        run.Write("series.csv", "value\n1\n2\u0001\u0007\u001b[31mRED\n3\n4\n5\n6\n");

        var result = run.Train();

        AssertUserError(run, result, "series.csv line 3: column \"value\": \"2\\x01\\x07\\x1B[31mRED\" is not a number");
        Assert.DoesNotContain(result.Stderr.TrimEnd('\n'), char.IsControl);
    }

    [Fact]
    public void AQuotedCellOfKilobytesIsCutInTheMiddleKeepingWhereAndWhat()
    {
        using var run = new RunFolder();
        var junk = new string(Enumerable.Range(0, 3000).Select(i => (char)('a' + i * 7 % 26)).ToArray());
        run.Write("series.csv", $"value\n1\n{junk}\n3\n4\n5\n6\n");

        var result = run.Train();

        AssertUserError(run, result, "series.csv line 3: column \"value\"", " ... ", "is not a number");
        Assert.InRange(Assert.Single(result.StderrLines).Length, 100, Rnn.Math.InputException.MaxLength + "error: ".Length);
    }

    [Fact]
    public void LastLayerWiderThanTheTargetsIsNamed()
    {
        using var run = new RunFolder();
        var config = run.ConfigWith("{ \"type\": \"dense\", \"units\": 1 }", "{ \"type\": \"dense\", \"units\": 2 }");

        AssertUserError(run, run.TrainWithConfig(config), "1 targets per sample", "2 units");
    }

    [Fact]
    public void TruncatedJsonNamesTheFile()
    {
        using var run = new RunFolder();
        var config = run.Write("config.json", RunFolder.ValidConfig[..120]);

        AssertUserError(run, run.TrainWithConfig(config), "config.json");
    }

    [Fact]
    public void InvalidJsonNamesTheFileAndLine()
    {
        using var run = new RunFolder();
        var config = run.Write("config.json", "{\n  \"model\": { \"inputSize\": 1,, }\n}");

        AssertUserError(run, run.TrainWithConfig(config), "config.json", "2");
    }

    [Fact]
    public void UnknownLayerTypeSuggestsTheNearest()
    {
        using var run = new RunFolder();

        AssertUserError(run, run.TrainWithConfig(run.ConfigWith("\"lstm\"", "\"lstn\"")), "lstn", "lstm");
    }

    [Fact]
    public void UnknownLossIsNamed()
    {
        using var run = new RunFolder();

        AssertUserError(run, run.TrainWithConfig(run.ConfigWith("\"mse\"", "\"msee\"")), "msee", "loss");
    }

    [Fact]
    public void UnknownOptimizerIsNamed()
    {
        using var run = new RunFolder();

        AssertUserError(run, run.TrainWithConfig(run.ConfigWith("\"seed\": 1", "\"seed\": 1, \"optimizer\": { \"type\": \"adagrad\" }")), "adagrad", "optimizer");
    }

    [Theory]
    [InlineData("\"units\": 4", "\"units\": 0", "units")]
    [InlineData("\"batchSize\": 4", "\"batchSize\": -4", "batchSize")]
    [InlineData("\"timesteps\": 3", "\"timesteps\": 0", "timesteps")]
    public void ZeroOrNegativeSizeNamesTheField(string find, string replaceWith, string field)
    {
        using var run = new RunFolder();

        AssertUserError(run, run.TrainWithConfig(run.ConfigWith(find, replaceWith)), field);
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("-0.1")]
    public void DropoutRateOutsideZeroToOneIsRejected(string rate)
    {
        using var run = new RunFolder();
        var config = run.ConfigWith("{ \"type\": \"dense\"", $"{{ \"type\": \"dropout\", \"rate\": {rate} }}, {{ \"type\": \"dense\"");

        AssertUserError(run, run.TrainWithConfig(config), "rate");
    }

    [Fact]
    public void MissingDataFileIsNamed()
    {
        using var run = new RunFolder();

        AssertUserError(run, run.TrainWithConfig(run.ConfigWith("series.csv", "absent.csv")), "absent.csv");
    }

    [Fact]
    public void NonNumericCsvCellNamesTheLine()
    {
        using var run = new RunFolder();
        run.Write("series.csv", "value\n1\n2\nthree\n4\n5\n6\n7\n8\n");

        AssertUserError(run, run.Train(), "series.csv", "4", "three");
    }

    [Fact]
    public void NotANumberInTheDataNamesTheLine()
    {
        using var run = new RunFolder();
        run.Write("series.csv", "value\n1\n2\n3\nNaN\n5\n6\n7\n8\n");

        AssertUserError(run, run.Train(), "series.csv", "5");
    }

    [Fact]
    public void InfinityInTheDataNamesTheLine()
    {
        using var run = new RunFolder();
        run.Write("series.csv", "value\n1\n2\n3\n4\nInfinity\n6\n7\n8\n");

        AssertUserError(run, run.Train(), "series.csv", "6");
    }

    [Fact]
    public void CsvShorterThanOneWindowIsRejected()
    {
        using var run = new RunFolder();
        run.Write("series.csv", "value\n1\n2\n");

        AssertUserError(run, run.Train(), "series.csv");
    }

    [Fact]
    public void UnknownColumnSuggestsTheNearest()
    {
        using var run = new RunFolder();

        AssertUserError(run, run.TrainWithConfig(run.ConfigWith("[\"value\"]", "[\"valeu\"]")), "valeu", "value");
    }

    [Fact]
    public void InputSizeNotMatchingTheDataIsNamed()
    {
        using var run = new RunFolder();

        AssertUserError(run, run.TrainWithConfig(run.ConfigWith("\"inputSize\": 1", "\"inputSize\": 3")), "inputSize");
    }

    [Fact]
    public void TruncatedSafetensorsDataIsNamed()
    {
        using var run = new RunFolder();
        var full = run.WriteTensors("data.safetensors", new NamedTensor("x", [8, 3, 1], new float[24]), new NamedTensor("y", [8, 1], new float[8]));
        var bytes = File.ReadAllBytes(full);
        File.WriteAllBytes(full, bytes[..(bytes.Length - 10)]);

        AssertUserError(run, run.TrainWithConfig(SafetensorsConfig(run)), "data.safetensors");
    }

    [Fact]
    public void GarbageSafetensorsDataIsNamed()
    {
        using var run = new RunFolder();
        run.Write("data.safetensors", "this is not a safetensors file at all");

        AssertUserError(run, run.TrainWithConfig(SafetensorsConfig(run)), "data.safetensors");
    }

    [Fact]
    public void XAndYWithDifferentSampleCountsAreRejected()
    {
        using var run = new RunFolder();
        run.WriteTensors("data.safetensors", new NamedTensor("x", [8, 3, 1], new float[24]), new NamedTensor("y", [7, 1], new float[7]));

        AssertUserError(run, run.TrainWithConfig(SafetensorsConfig(run)), "data.safetensors", "y");
    }

    [Fact]
    public void TensorOfTheWrongRankIsNamed()
    {
        using var run = new RunFolder();
        run.WriteTensors("data.safetensors", new NamedTensor("x", [8, 3], new float[24]), new NamedTensor("y", [8, 1], new float[8]));

        AssertUserError(run, run.TrainWithConfig(SafetensorsConfig(run)), "data.safetensors", "x");
    }

    [Fact]
    public void WrongShapedInitWeightsNameTheTensor()
    {
        using var run = new RunFolder();
        var weights = run.WriteTensors("init.safetensors",
            new NamedTensor("layers.0.weight_ih", [16, 2], new float[32]),
            new NamedTensor("layers.0.weight_hh", [16, 4], new float[64]),
            new NamedTensor("layers.0.bias_ih", [16], new float[16]),
            new NamedTensor("layers.0.bias_hh", [16], new float[16]),
            new NamedTensor("layers.1.weight", [1, 4], new float[4]),
            new NamedTensor("layers.1.bias", [1], new float[1]));

        AssertUserError(run, run.Train("--init-weights", weights), "layers.0.weight_ih", "[16, 1]");
    }

    [Fact]
    public void InitWeightsMissingATensorNameIt()
    {
        using var run = new RunFolder();
        var weights = run.WriteTensors("init.safetensors", new NamedTensor("layers.1.bias", [1], new float[1]));

        AssertUserError(run, run.Train("--init-weights", weights), "layers.0.weight_ih");
    }

    [Fact]
    public void InitWeightsWithATensorTheModelLacksNameIt()
    {
        using var run = new RunFolder();
        var weights = run.WriteTensors("init.safetensors",
            new NamedTensor("layers.0.weight_ih", [16, 1], new float[16]),
            new NamedTensor("layers.0.weight_hh", [16, 4], new float[64]),
            new NamedTensor("layers.0.bias_ih", [16], new float[16]),
            new NamedTensor("layers.0.bias_hh", [16], new float[16]),
            new NamedTensor("layers.1.weight", [1, 4], new float[4]),
            new NamedTensor("layers.1.bias", [1], new float[1]),
            new NamedTensor("layers.2.weight", [1, 1], new float[1]));

        AssertUserError(run, run.Train("--init-weights", weights), "layers.2.weight");
    }

    [Fact]
    public void UnknownFlagLeavesTheModelUntouched()
    {
        using var run = new RunFolder();

        AssertUserError(run, run.Train("--epoch", "3"), "--epoch", "--epochs");
    }

    [Fact]
    public void A_token_id_outside_the_vocabulary_names_its_sample_and_step()
    {
        using var run = new RunFolder();
        var ids = new float[8 * 3];
        ids[2 * 3 + 1] = 9;
        run.WriteTensors("data.safetensors", new NamedTensor("x", [8, 3], ids), new NamedTensor("y", [8], new float[8]));

        AssertUserError(run, run.TrainWithConfig(TokenConfig(run)), "data.safetensors", "token id 9 at sample 2, step 1", "[0, 5)");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(4f)]
    public void A_length_of_zero_or_above_the_timesteps_names_its_sample(float length)
    {
        using var run = new RunFolder();
        var lengths = Enumerable.Repeat(3f, 8).ToArray();
        lengths[5] = length;
        run.WriteTensors("data.safetensors", new NamedTensor("x", [8, 3], new float[24]), new NamedTensor("y", [8], new float[8]),
            new NamedTensor("lengths", [8], lengths));

        AssertUserError(run, run.TrainWithConfig(TokenConfig(run)), "data.safetensors", $"tensor \"lengths\" holds {length} for sample 5", "from 1 to 3");
    }

    private static string TokenConfig(RunFolder run) => run.Write("config.json", """
        {
          "model": { "layers": [ { "type": "embedding", "inputDim": 5, "outputDim": 2 }, { "type": "gru", "units": 3 }, { "type": "dense", "units": 2 } ] },
          "data": { "source": "safetensors", "path": "data.safetensors" },
          "training": { "epochs": 1, "batchSize": 4, "loss": "crossentropy", "seed": 1 }
        }
        """);

    private static string SafetensorsConfig(RunFolder run) => run.Write("config.json", """
        {
          "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 4 }, { "type": "dense", "units": 1 } ] },
          "data": { "source": "safetensors", "path": "data.safetensors", "validationSplit": 0.25 },
          "training": { "epochs": 1, "batchSize": 4, "loss": "mse", "seed": 1 }
        }
        """);
}
