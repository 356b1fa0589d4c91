using RnnCluster.Coordinator.Progress;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Tests.Output;

public class EpochLineTests
{
    [Fact]
    public void PlainLineReadsLikeKeras()
    {
        var metrics = new EpochMetrics(3, 0.01234, 0.02345, 1234.4, 2, 4.12, 5, 1);

        Assert.Equal("epoch   3/100  loss 0.01234  val_loss 0.02345  1234 seq/s  2 workers  4.1s", EpochLine.Format(metrics, 100));
    }

    [Fact]
    public void ValLossIsLeftOutWithoutValidationData()
    {
        var metrics = new EpochMetrics(1, 0.5, null, 10, 1, 1, 5, 0);

        Assert.Equal("epoch 1/1  loss 0.5  10 seq/s  1 worker  1.0s", EpochLine.Format(metrics, 1));
    }
}
