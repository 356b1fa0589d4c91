using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Progress;

/// <summary>For logs and pipes: one line per epoch, nothing that redraws.</summary>
internal sealed class PlainDisplay(TextWriter output) : ITrainingDisplay
{
    private readonly Lock gate = new();

    public Task<T> Show<T>(int epochs, Func<Task<T>> run) => run();

    public void StepDone(StepProgress step)
    {
    }

    public void EpochDone(EpochMetrics metrics, int epochs)
    {
        lock (gate) output.WriteLine(EpochLine.Format(metrics, epochs));
    }
}
