namespace RnnCluster.Coordinator.Progress;

/// <summary>--quiet: nothing while training; the command still prints errors and its final summary.</summary>
internal sealed class QuietDisplay : ITrainingDisplay
{
    public Task<T> Show<T>(int epochs, int batchesPerEpoch, Func<Task<T>> run) => run();

    public void BatchDone(int epoch, int batch, int workers)
    {
    }

    public void EpochDone(EpochReport report)
    {
    }
}
