using System.Text.Json;
using Rnn.Math.Config;
using Rnn.Math.Data;
using static RnnCluster.Tests.Data.DataConfigs;

namespace RnnCluster.Tests.Data;

/// <summary>Statistics come from the rows the training windows use, never from the validation part's future.</summary>
public class NormalizationTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    // 20 rows of i², T = 3, h = 2: 16 windows; split 0.25 keeps 12 for training, whose last target is row
    // 11 + 3 − 1 + 2 = 15. So statistics see rows 0..15 only (values 0..225), never rows 16..19.
    private static readonly float[] Squares = [.. Enumerable.Range(0, 20).Select(i => (float)(i * i))];
    private static readonly float[] TrainingRows = Squares[..16];

    [Fact]
    public void MinMaxIsFittedOnTheRowsOfTheTrainingWindowsAndTheirTargets()
    {
        var set = LoadCsv(folder, Series(Squares), Csv(["v"], "v", 3, 2, 0.25f, Normalization.MinMax));

        Assert.Equal(12, set.TrainCount);
        Assert.Equal(new ColumnScaling("v", 0f, 225f), set.Scaling!.Target);
        Assert.Equal(set.Scaling.Target, set.Scaling.Features[0]);
    }

    [Fact]
    public void ZScoreUsesTheTrainingRowsMeanAndPopulationDeviation()
    {
        double mean = TrainingRows.Average();
        double deviation = Math.Sqrt(TrainingRows.Select(v => (v - mean) * (v - mean)).Average());

        var scaling = LoadCsv(folder, Series(Squares), Csv(["v"], "v", 3, 2, 0.25f, Normalization.ZScore)).Scaling!.Target;

        Assert.Equal((float)mean, scaling.Offset);
        Assert.Equal((float)deviation, scaling.Scale, 5);
    }

    [Fact]
    public void FeaturesAndTargetsAreScaledAndValidationMayLeaveTheUnitRange()
    {
        var set = LoadCsv(folder, Series(Squares), Csv(["v"], "v", 3, 2, 0.25f, Normalization.MinMax));

        Assert.Equal([0f, 1f / 225f, 4f / 225f], set.X.ToArray()[..3]);
        Assert.Equal(16f / 225f, set.Y.ToArray()[0]);
        Assert.Equal(361f / 225f, set.Y.ToArray()[^1]);
    }

    [Fact]
    public void ConstantColumnGetsScaleOne()
    {
        Assert.Equal(new ColumnScaling("c", 5f, 1f), ColumnScaling.Fit("c", Normalization.MinMax, [5f, 5f, 5f]));
    }

    [Fact]
    public void UndoInvertsApply()
    {
        var scaling = new ColumnScaling("v", 104f, 518f);

        Assert.Equal(432f, scaling.Undo(scaling.Apply(432f)), 3);
    }

    [Fact]
    public void ScalingSurvivesAJsonRoundTrip()
    {
        var scaling = new SeriesScaling([new ColumnScaling("a", 1.5f, 2f), new ColumnScaling("b", -3f, 0.25f)], new ColumnScaling("b", -3f, 0.25f));

        string json = JsonSerializer.Serialize(scaling, JsonSerializerOptions.Web);
        var back = JsonSerializer.Deserialize<SeriesScaling>(json, JsonSerializerOptions.Web)!;

        Assert.Equal(scaling.Features, back.Features);
        Assert.Equal(scaling.Target, back.Target);
    }
}
