namespace RnnCluster.Coordinator.Progress;

/// <summary>For logs and pipes: one line per epoch, nothing that redraws.</summary>
internal sealed class PlainDisplay(TextWriter output) : ITrainingDisplay
{
    private readonly Lock gate = new();

    public Task<T> Show<T>(int epochs, int batchesPerEpoch, Func<Task<T>> run) => run();

    public void BatchDone(int epoch, int batch, int workers)
    {
    }

    public void EpochDone(EpochReport report)
    {
        lock (gate) output.WriteLine(EpochLine.Format(report));
    }
}
