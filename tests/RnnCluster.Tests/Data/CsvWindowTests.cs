using Rnn.Math.Config;
using static RnnCluster.Tests.Data.DataConfigs;

namespace RnnCluster.Tests.Data;

/// <summary>Sliding windows over a CSV series: which rows a window reads and which row it predicts.</summary>
public class CsvWindowTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void WindowReadsTimestepsRowsAndPredictsHorizonRowsAfterItsLast()
    {
        var set = LoadCsv(folder, Series(Enumerable.Range(0, 10).Select(i => (float)i)), Csv(["v"], "v", timesteps: 3, horizon: 2));

        Assert.Equal(10 - 3 - 2 + 1, set.Samples);
        Assert.Equal([0f, 1f, 2f], set.X.ToArray()[..3]);
        Assert.Equal(4f, set.Y.ToArray()[0]);
        Assert.Equal([5f, 6f, 7f], set.X.ToArray()[15..18]);
        Assert.Equal(9f, set.Y.ToArray()[5]);
    }

    [Fact]
    public void A_stride_starts_a_window_every_stride_rows_so_windows_of_stride_timesteps_follow_each_other()
    {
        var set = LoadCsv(folder, Series(Enumerable.Range(0, 30).Select(i => (float)i)), Csv(["v"], "v", timesteps: 4) with { Stride = 4 });

        // Window w reads rows 4w .. 4w + 3 and predicts row 4w + 4; the last whose target is in 30 rows starts at 24.
        Assert.Equal(7, set.Samples);
        Assert.Equal([4f, 5f, 6f, 7f], set.X.ToArray()[4..8]);
        Assert.Equal(Enumerable.Range(0, 7).Select(w => 4f * w + 4), set.Y.ToArray());
    }

    [Fact]
    public void SeveralColumnsInterleaveInTheirConfiguredOrderAndTargetMayBeAnotherColumn()
    {
        const string csv = "a,b,c\n1,10,100\n2,20,200\n3,30,300\n";

        var set = LoadCsv(folder, csv, Csv(["c", "a"], "b", timesteps: 2));

        Assert.Equal((1, 2, 2), (set.Samples, set.Timesteps, set.Features));
        Assert.Equal([100f, 1f, 200f, 2f], set.X.ToArray());
        Assert.Equal([30f], set.Y.ToArray());
    }

    [Fact]
    public void ValidationIsTheLastWindows()
    {
        var set = LoadCsv(folder, Series(Enumerable.Range(0, 12).Select(i => (float)i)), Csv(["v"], "v", timesteps: 2, split: 0.2f));

        Assert.Equal(10, set.Samples);
        Assert.Equal(8, set.TrainCount);
        Assert.Equal([8, 9], set.ValidationIds());
        Assert.Equal([10f, 11f], set.ValidationIds().Select(i => set.Y.ToArray()[i]));
    }

    [Theory]
    [InlineData(10, 0.2f, 8)]
    [InlineData(132, 0.2f, 105)]
    [InlineData(7, 0f, 7)]
    [InlineData(3, 0.5f, 1)]
    public void TrainCountIsTheFloorOfTheKeptFraction(int samples, float split, int train)
    {
        Assert.Equal(train, Rnn.Math.Data.ValidationSplit.TrainCount(samples, split));
    }

    [Fact]
    public void PassengerExampleHoldsTheBoxJenkinsSeries()
    {
        string examples = Repository.File("examples/passengers/passengers.csv");
        var data = new DataConfig(DataSource.Csv, examples, ["passengers"], "passengers", Timesteps: 1, Horizon: 1);

        var set = Rnn.Math.Data.DatasetLoader.Load(Run(data, "/"));

        Assert.Equal(143, set.Samples);
        Assert.Equal(1520f, set.X.ToArray()[..12].Sum());
        Assert.Equal(40363f - 112f, set.Y.ToArray().Sum());
        Assert.Equal(432f, set.Y.ToArray()[^1]);
    }
}
