using Rnn.Math.Data;

namespace RnnCluster.Tests.Data;

public class DatasetGatherTests
{
    [Fact]
    public void GatherCopiesTheChosenSamplesInTheOrderGiven()
    {
        // 3 samples, T = 2, I = 1, sequence targets of width 1: sample n's values are 10n, 10n + 1.
        var set = new Dataset((float[])[0f, 1f, 10f, 11f, 20f, 21f], (float[])[0f, -1f, -10f, -11f, -20f, -21f], 3, 2, 1, 1, SequenceTargets: true, TrainCount: 3);

        var shard = set.Gather([2, 0]);

        Assert.Equal([20f, 21f, 0f, 1f], shard.X);
        Assert.Equal([-20f, -21f, 0f, -1f], shard.Y);
        Assert.Equal([2, 0], shard.SampleIds);
        Assert.Equal((2, 2), (shard.Count, shard.Timesteps));
    }
}
