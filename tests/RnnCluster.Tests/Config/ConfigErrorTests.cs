using Rnn.Math;
using Rnn.Math.Config;
using static RnnCluster.Tests.Config.ConfigText;

namespace RnnCluster.Tests.Config;

/// <summary>Each mistake in a config is one message naming the file, the line, the field and what was expected.</summary>
public class ConfigErrorTests
{
    private const string Safetensors = """{ "source": "safetensors", "path": "d.safetensors" }""";

    [Fact]
    public void MissingFileIsNamed()
    {
        var error = Assert.Throws<InputException>(() => ConfigLoader.Load("/nowhere/config.json"));

        Assert.Equal("config file not found: /nowhere/config.json", error.Message);
    }

    [Fact]
    public void InvalidJsonNamesItsLine()
    {
        string message = ErrorOf(ExampleWith("\"horizon\": 1,", "\"horizon\": 1,,"));

        Assert.StartsWith("config.json line 16: invalid JSON:", message);
    }

    [Fact]
    public void TruncatedJsonSaysTheFileEndsEarly()
    {
        string message = ErrorOf(Example[..Example.IndexOf("\"training\"", StringComparison.Ordinal)]);

        Assert.StartsWith("config.json line 20: invalid JSON:", message);
        Assert.Contains("truncated", message);
    }

    [Fact]
    public void EmptyFileIsInvalid()
    {
        Assert.StartsWith("config.json", ErrorOf(""));
    }

    [Fact]
    public void UnknownLayerTypeSuggestsTheNearest()
    {
        string message = ErrorOf(ExampleWith("\"type\": \"dropout\"", "\"type\": \"lstn\""));

        Assert.Equal(
            "config.json line 6: model.layers[1].type: unknown layer type \"lstn\"; did you mean \"lstm\"? (expected one of rnn, lstm, gru, dense, dropout, embedding)",
            message);
    }

    [Theory]
    [InlineData("\"loss\": \"mse\"", "\"loss\": \"mze\"", "line 23: training.loss: unknown loss \"mze\"; did you mean \"mse\"?")]
    [InlineData("\"type\": \"adam\"", "\"type\": \"adan\"", "line 27: training.optimizer.type: unknown optimizer \"adan\"; did you mean \"adam\"?")]
    [InlineData("\"source\": \"csv\"", "\"source\": \"cvs\"", "line 11: data.source: unknown data source \"cvs\"; did you mean \"csv\"?")]
    [InlineData("\"normalize\": \"minmax\"", "\"normalize\": \"min-max\"", "line 18: data.normalize: unknown normalisation \"min-max\"; did you mean \"minmax\"?")]
    [InlineData("\"units\": 1 }", "\"units\": 1, \"activation\": \"relu6\" }", "line 7: model.layers[2].activation: unknown activation \"relu6\"; did you mean \"relu\"?")]
    public void UnknownNameSuggestsTheNearest(string from, string to, string expected)
    {
        Assert.StartsWith($"config.json {expected}", ErrorOf(ExampleWith(from, to)));
    }

    [Fact]
    public void UnknownGeneratorSuggestsTheNearest()
    {
        string message = ErrorOf(With("""{ "source": "synthetic", "generator": "adder", "samples": 4, "timesteps": 4 }"""));

        Assert.Contains("data.generator: unknown generator \"adder\"; did you mean \"adding\"? (expected one of sine, adding, copy)", message);
    }

    [Fact]
    public void UnknownFieldSuggestsTheNearest()
    {
        string message = ErrorOf(ExampleWith("\"batchSize\"", "\"batch_size\""));

        Assert.StartsWith("config.json line 22: training.batch_size: unknown field; did you mean \"batchSize\"?", message);
    }

    [Fact]
    public void FieldOfAnotherLayerTypeIsUnknown()
    {
        string message = ErrorOf(ExampleWith("\"units\": 50", "\"units\": 50, \"rate\": 0.1"));

        Assert.Equal(
            "config.json line 5: model.layers[0].rate: unknown field for a lstm layer (expected one of type, units, returnSequences, bidirectional, stateful)",
            message);
    }

    [Fact]
    public void MissingRequiredFieldNamesItAndTheObjectsLine()
    {
        string message = ErrorOf(ExampleWith("\"type\": \"dense\", \"units\": 1", "\"type\": \"dense\""));

        Assert.Equal("config.json line 7: model.layers[2].units: missing required field (expected a positive whole number)", message);
    }

    [Fact]
    public void TopLevelValueMustBeAnObject()
    {
        Assert.Equal("config.json line 1: expected an object { ... }, got an array", ErrorOf("[1, 2]"));
    }

    [Fact]
    public void MissingModelIsNamed()
    {
        Assert.Contains("model: missing required field", ErrorOf("""{ "data": { "source": "safetensors", "path": "x" } }"""));
    }

    [Theory]
    [InlineData("\"inputSize\": 1", "\"inputSize\": \"1\"", "line 3: model.inputSize: expected a positive whole number, got \"1\"")]
    [InlineData("\"shuffle\": true", "\"shuffle\": \"yes\"", "line 24: training.shuffle: expected true or false, got \"yes\"")]
    [InlineData("\"columns\": [\"passengers\"]", "\"columns\": \"passengers\"", "line 13: data.columns: expected an array of column names, got \"passengers\"")]
    [InlineData("\"timesteps\": 12", "\"timesteps\": 12.5", "line 15: data.timesteps: expected a positive whole number, got 12.5")]
    [InlineData("\"seed\": 42", "\"seed\": -1", "line 25: training.seed: expected a whole number from 0 to 18446744073709551615, got -1")]
    [InlineData("\"data\": {", "\"data\": [{", "line 10: data: expected an object { ... }, got an array")]
    public void WrongJsonTypeSaysWhatWasExpected(string from, string to, string expected)
    {
        string json = to.EndsWith("[{", StringComparison.Ordinal) ? ExampleWith(from, to).Replace("\"minmax\"\n  },", "\"minmax\"\n  }],") : ExampleWith(from, to);

        Assert.Equal($"config.json {expected}", ErrorOf(json));
    }

    [Theory]
    [InlineData("\"inputSize\": 1", "\"inputSize\": 0", "model.inputSize")]
    [InlineData("\"units\": 50", "\"units\": -3", "model.layers[0].units")]
    [InlineData("\"timesteps\": 12", "\"timesteps\": 0", "data.timesteps")]
    [InlineData("\"horizon\": 1", "\"horizon\": 0", "data.horizon")]
    [InlineData("\"epochs\": 100", "\"epochs\": 0", "training.epochs")]
    [InlineData("\"batchSize\": 32", "\"batchSize\": -32", "training.batchSize")]
    public void ZeroOrNegativeSizeIsRejected(string from, string to, string field)
    {
        string message = ErrorOf(ExampleWith(from, to));

        Assert.Contains($": {field}: expected a positive whole number, got ", message);
    }

    [Fact]
    public void ZeroSamplesIsRejected()
    {
        string message = ErrorOf(With("""{ "source": "synthetic", "generator": "sine", "samples": 0, "timesteps": 4 }"""));

        Assert.Equal("config.json line 3: data.samples: expected a positive whole number, got 0", message);
    }

    [Fact]
    public void AddingProblemNeedsTwoTimesteps()
    {
        string message = ErrorOf(With("""{ "source": "synthetic", "generator": "adding", "samples": 4, "timesteps": 1 }"""));

        Assert.Equal("config.json line 3: data.timesteps: expected a whole number >= 2, got 1", message);
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("-0.1")]
    public void DropoutRateOutsideZeroToOneIsRejected(string rate)
    {
        string message = ErrorOf(ExampleWith("\"rate\": 0.2", $"\"rate\": {rate}"));

        Assert.Equal($"config.json line 6: model.layers[1].rate: expected a rate in [0, 1), got {rate}", message);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("-0.5")]
    public void ValidationSplitOutsideZeroToOneIsRejected(string split)
    {
        string message = ErrorOf(ExampleWith("\"validationSplit\": 0.2", $"\"validationSplit\": {split}"));

        Assert.Equal($"config.json line 17: data.validationSplit: expected a fraction in [0, 1), got {split}", message);
    }

    [Fact]
    public void NegativeClipNormIsRejected()
    {
        Assert.StartsWith("config.json line 26: training.clipNorm: expected a norm >= 0", ErrorOf(ExampleWith("\"clipNorm\": 1.0", "\"clipNorm\": -1")));
    }

    [Theory]
    [InlineData("-0.001")]
    [InlineData("0")]
    public void NonPositiveLearningRateIsRejected(string rate)
    {
        string message = ErrorOf(ExampleWith("\"learningRate\": 0.001", $"\"learningRate\": {rate}"));

        Assert.Equal($"config.json line 27: training.optimizer.learningRate: expected a number > 0, got {rate}", message);
    }

    [Fact]
    public void EmptyLayerListIsRejected()
    {
        string message = ErrorOf("""{ "model": { "inputSize": 1, "layers": [] }, "data": { "source": "safetensors", "path": "x" } }""");

        Assert.Contains("model.layers: expected an array of layers, got an empty array", message);
    }

    [Fact]
    public void DuplicateFieldIsRejected()
    {
        string message = ErrorOf(ExampleWith("\"horizon\": 1,", "\"horizon\": 1,\n    \"horizon\": 2,"));

        Assert.Equal("config.json line 17: data.horizon: appears twice", message);
    }

    [Fact]
    public void DuplicateColumnIsRejected()
    {
        string message = ErrorOf(ExampleWith("[\"passengers\"]", "[\"passengers\", \"passengers\"]"));

        Assert.Equal("config.json line 13: data.columns[1]: column \"passengers\" is listed twice", message);
    }

    [Fact]
    public void FieldOfAnotherSourceIsUnknown()
    {
        string message = ErrorOf(With("""{ "source": "safetensors", "path": "d.safetensors", "normalize": "minmax" }"""));

        Assert.StartsWith("config.json line 3: data.normalize: unknown field for source \"safetensors\"", message);
    }

    [Fact]
    public void OptimizerFieldOfTheOtherOptimizerIsUnknown()
    {
        string message = ErrorOf(With(Safetensors, """ "optimizer": { "type": "sgd", "beta1": 0.9 } """));

        Assert.StartsWith("config.json line 4: training.optimizer.beta1: unknown field for the sgd optimizer", message);
    }
}
