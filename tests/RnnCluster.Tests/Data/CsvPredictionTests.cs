using Rnn.Math.Config;
using Rnn.Math.Data;
using static RnnCluster.Tests.Data.DataConfigs;

namespace RnnCluster.Tests.Data;

/// <summary>New CSV input for `predict`: the training run's windows and normalisation, and actuals where known.</summary>
public class CsvPredictionTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static readonly DataConfig Data = Csv(["v"], "v", timesteps: 3, horizon: 2, split: 0.25f, normalize: Normalization.MinMax);

    [Fact]
    public void TrainingSeriesGivesTheTrainingWindowsThenWindowsWithUnknownTargets()
    {
        var training = LoadCsv(folder, Series(Enumerable.Range(0, 20).Select(i => (float)i)), Data);

        var input = CsvPrediction.Load(Path.Combine(folder.Path, "series.csv"), Data, training.Scaling!);

        Assert.Equal(20 - 3 + 1, input.Windows);
        Assert.Equal(training.X, input.X[..training.X.Length]);
        Assert.Equal([4f, 5f], input.Actual[..2]);
        Assert.True(input.Actual[^2..].All(float.IsNaN));
        Assert.Equal((4, 6), (input.LastLines[0], input.TargetLines[0]));
        Assert.Equal((21, 0), (input.LastLines[^1], input.TargetLines[^1]));
    }

    [Fact]
    public void PredictionsReturnToDataUnits()
    {
        var scaling = new SeriesScaling([new ColumnScaling("v", 100f, 50f)], new ColumnScaling("v", 100f, 50f));
        folder.Write("new.csv", Series([100f, 125f, 150f]));

        var input = CsvPrediction.Load(Path.Combine(folder.Path, "new.csv"), Data, scaling);

        Assert.Equal([0f, 0.5f, 1f], input.X);
        Assert.Equal(175f, input.ToDataUnits(1.5f));
    }

    [Fact]
    public void InputWithoutTheTargetColumnHasNoActuals()
    {
        var data = Csv(["a"], "b", timesteps: 2);
        var scaling = new SeriesScaling([new ColumnScaling("a", 0f, 1f)], new ColumnScaling("b", 0f, 1f));
        folder.Write("new.csv", "a\n1\n2\n3\n");

        var input = CsvPrediction.Load(Path.Combine(folder.Path, "new.csv"), data, scaling);

        Assert.Equal(2, input.Windows);
        Assert.All(input.Actual, a => Assert.True(float.IsNaN(a)));
    }

    [Fact]
    public void InputShorterThanOneWindowIsRejected()
    {
        folder.Write("new.csv", Series([1f, 2f]));
        var scaling = new SeriesScaling([new ColumnScaling("v", 0f, 1f)], new ColumnScaling("v", 0f, 1f));

        var error = Assert.Throws<Rnn.Math.InputException>(() => CsvPrediction.Load(Path.Combine(folder.Path, "new.csv"), Data, scaling));

        Assert.Equal("new.csv: 2 data rows are too few for one window of 3 timesteps", error.Message);
    }
}
