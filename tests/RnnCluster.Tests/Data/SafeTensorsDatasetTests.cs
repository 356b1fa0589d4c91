using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Weights;
using static RnnCluster.Tests.Data.DataConfigs;

namespace RnnCluster.Tests.Data;

/// <summary>A safetensors dataset: x [N, T, I] and y [N, O] or [N, T, O], checked before training sees them.</summary>
public class SafeTensorsDatasetTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static NamedTensor Tensor(string name, params int[] shape)
        => new(name, shape, Enumerable.Range(0, shape.Aggregate(1, (a, b) => a * b)).Select(i => (float)i).ToArray());

    private RunConfig Config(int inputSize = 3, float split = 0f, LossKind loss = LossKind.Mse)
        => Run(new DataConfig(DataSource.Safetensors, "data.safetensors", ValidationSplit: split), folder.Path, inputSize, loss);

    private Dataset Load(RunConfig config, params NamedTensor[] tensors)
    {
        SafeTensors.Write(Path.Combine(folder.Path, "data.safetensors"), tensors);
        return DatasetLoader.Load(config);
    }

    private string ErrorOf(params NamedTensor[] tensors) => ErrorOf(Config(), tensors);

    private string ErrorOf(RunConfig config, params NamedTensor[] tensors)
        => Assert.Throws<InputException>(() => Load(config, tensors)).Message;

    [Fact]
    public void ManyToOneDataKeepsShapesAndValues()
    {
        var set = Load(Config(split: 0.25f), Tensor("x", 4, 5, 3), Tensor("y", 4, 2));

        Assert.Equal((4, 5, 3, 2, false, 3), (set.Samples, set.Timesteps, set.Features, set.Targets, set.SequenceTargets, set.TrainCount));
        Assert.Equal(Tensor("x", 4, 5, 3).Data.ToArray(), set.X);
        Assert.Equal(Tensor("y", 4, 2).Data.ToArray(), set.Y);
    }

    [Fact]
    public void RankThreeTargetsAreSequenceTargets()
    {
        var set = Load(Config(), Tensor("x", 2, 5, 3), Tensor("y", 2, 5, 1));

        Assert.True(set.SequenceTargets);
        Assert.Equal(5, set.TargetsPerSample);
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        Assert.StartsWith("data.safetensors: no tensor \"y\"; a dataset holds x [samples, timesteps, features]", ErrorOf(Tensor("x", 2, 5, 3)));
    }

    [Fact]
    public void DifferentSampleCountsAreNamed()
    {
        Assert.Equal("data.safetensors: tensor \"y\" has 3 samples but tensor \"x\" has 2", ErrorOf(Tensor("x", 2, 5, 3), Tensor("y", 3, 1)));
    }

    [Fact]
    public void WrongRankIsNamed()
    {
        Assert.Equal(
            "data.safetensors: tensor \"x\" has shape [2, 15], expected rank 3 [samples, timesteps, features]",
            ErrorOf(Tensor("x", 2, 15), Tensor("y", 2, 1)));
    }

    [Fact]
    public void SequenceTargetsWithOtherTimestepsAreRejected()
    {
        Assert.Equal("data.safetensors: tensor \"y\" has 4 timesteps but tensor \"x\" has 5", ErrorOf(Tensor("x", 2, 5, 3), Tensor("y", 2, 4, 1)));
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    public void NonFiniteValueNamesTensorAndIndex(float bad, string shown)
    {
        var x = Tensor("x", 2, 5, 3);
        float[] values = x.Data.ToArray();
        values[(1 * 5 + 4) * 3 + 2] = bad;

        string message = ErrorOf(x with { Data = values }, Tensor("y", 2, 1));

        Assert.Equal($"data.safetensors: tensor \"x\" holds {shown} at [1, 4, 2]", message);
    }

    [Fact]
    public void FeatureCountNotMatchingInputSizeIsRejected()
    {
        Assert.Equal(
            "data.safetensors: tensor \"x\" has 3 features per timestep but model.inputSize is 1",
            ErrorOf(Config(inputSize: 1), Tensor("x", 2, 5, 3), Tensor("y", 2, 1)));
    }

    [Fact]
    public void CrossEntropyTargetsMustBeClassIndices()
    {
        var y = new NamedTensor("y", [2, 1], new[] { 1f, 0.5f });

        Assert.Equal(
            "data.safetensors: tensor \"y\" holds 0.5 at [1, 0], expected a class index (a whole number >= 0) for crossentropy",
            ErrorOf(Config(loss: LossKind.CrossEntropy), Tensor("x", 2, 5, 3), y));
    }

    [Fact]
    public void CrossEntropyClassCountIsOneAboveTheLargestIndex()
    {
        var set = Load(Config(loss: LossKind.CrossEntropy), Tensor("x", 2, 5, 3), new NamedTensor("y", [2, 1], new[] { 4f, 0f }));

        Assert.Equal(5, set.Classes);
    }
}
