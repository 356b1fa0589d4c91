using Rnn.Math.Config;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Config;

public class ConfigLoaderTests
{
    [Fact]
    public void TheContractExampleReadsAsWritten()
    {
        var config = ConfigText.Parse(ConfigText.Example);

        Assert.Equal(1, config.Model.InputSize);
        Assert.Equal(
            [new LstmConfig(50), new DropoutConfig(0.2f), new DenseConfig(1)],
            config.Model.Layers);
        var data = config.Data;
        Assert.Equal((DataSource.Csv, "passengers.csv", "passengers", 12, 1, 0.2f, Normalization.MinMax),
            (data.Source, data.Path, data.Target, data.Timesteps, data.Horizon, data.ValidationSplit, data.Normalize));
        Assert.Equal(["passengers"], data.Columns!);
        Assert.Equal(new TrainingConfig(100, 32, LossKind.Mse, true, 42, 1f, new OptimizerConfig(OptimizerKind.Adam, 0.001f, 0.9f, 0.999f, 1e-7f)),
            config.Training with { Optimizer = config.Training.OptimizerOrDefault });
        Assert.Equal("/base", config.BaseDirectory);
    }

    [Fact]
    public void AbsentTrainingFieldsTakeKerasDefaults()
    {
        var config = ConfigText.Parse(ConfigText.With("""{ "source": "synthetic", "generator": "adding", "samples": 10, "timesteps": 5 }"""));

        Assert.Equal(new TrainingConfig(), config.Training with { Optimizer = null });
        Assert.Equal(new OptimizerConfig(OptimizerKind.Adam, 0.001f, 0.9f, 0.999f, 1e-7f), config.Training.OptimizerOrDefault);
        Assert.Equal(TrainingConfig.DefaultGroupSize, config.Training.GroupSize);
        Assert.Equal(0, config.Training.TruncatedBptt);
        Assert.Equal(5, config.Training.MaxBadSteps);
    }

    [Fact]
    public void MaxBadStepsIsRead()
    {
        var config = ConfigText.Parse(ConfigText.With("""{ "source": "safetensors", "path": "d.safetensors" }""", """ "maxBadSteps": 12 """));

        Assert.Equal(12, config.Training.MaxBadSteps);
    }

    [Fact]
    public void SgdWithoutLearningRateTakesKerasSgdDefault()
    {
        var config = ConfigText.Parse(ConfigText.With(
            """{ "source": "safetensors", "path": "d.safetensors" }""", """ "optimizer": { "type": "sgd", "momentum": 0.9 } """));

        Assert.Equal(new OptimizerConfig(OptimizerKind.Sgd, 0.01f, Momentum: 0.9f), config.Training.Optimizer);
    }

    [Fact]
    public void OptimizerMayBeGivenByNameAlone()
    {
        var config = ConfigText.Parse(ConfigText.With("""{ "source": "safetensors", "path": "d.safetensors" }""", """ "optimizer": "sgd" """));

        Assert.Equal(new OptimizerConfig(OptimizerKind.Sgd, 0.01f), config.Training.Optimizer);
    }

    [Fact]
    public void TruncatedBpttAndGroupSizeAreRead()
    {
        var config = ConfigText.Parse(ConfigText.With(
            """{ "source": "safetensors", "path": "d.safetensors" }""", """ "truncatedBptt": 25, "groupSize": 8 """));

        Assert.Equal((25, 8), (config.Training.TruncatedBptt, config.Training.GroupSize));
    }

    [Fact]
    public void SyntheticSourceReadsGeneratorSamplesTimestepsAndSeed()
    {
        var data = ConfigText.Parse(ConfigText.With(
            """{ "source": "synthetic", "generator": "copy", "samples": 64, "timesteps": 30, "seed": 18446744073709551615 }""")).Data;

        Assert.Equal((SyntheticGenerator.Copy, 64, 30, ulong.MaxValue), (data.Generator, data.Samples, data.Timesteps, data.Seed));
    }

    [Fact]
    public void ReturnSequencesAndDenseActivationAreRead()
    {
        var layers = ConfigText.Parse(ConfigText.ExampleWith(
            """{ "type": "lstm", "units": 50 }""", """{ "type": "rnn", "units": 50, "returnSequences": true }""")
            .Replace("""{ "type": "dense", "units": 1 }""", """{ "type": "dense", "units": 3, "activation": "softmax" }""")).Model.Layers;

        Assert.Equal(new RnnConfig(50, ReturnSequences: true), layers[0]);
        Assert.Equal(new DenseConfig(3, Activation: Activation.Softmax), layers[2]);
    }

    [Fact]
    public void CommentsAndTrailingCommasAreAllowed()
    {
        var config = ConfigText.Parse(ConfigText.ExampleWith("\"epochs\": 100,", "// one pass is enough here\n    \"epochs\": 1,"));

        Assert.Equal(1, config.Training.Epochs);
    }

    [Fact]
    public void LoadTakesTheConfigFoldersAsBaseDirectory()
    {
        using var folder = new TempFolder();
        string path = folder.Write("run/config.json", ConfigText.Example);

        var config = ConfigLoader.Load(path);

        Assert.Equal(Path.GetDirectoryName(path), config.BaseDirectory);
    }
}
