using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Progress;

/// <summary>
/// For logs and pipes: one line per epoch, nothing that redraws. What training waits for is a line each time
/// the coordinator says it (when it changes, and as a reminder every so often).
/// </summary>
internal sealed class PlainDisplay(TextWriter output) : ITrainingDisplay
{
    private readonly Lock gate = new();

    public Task<T> Show<T>(int epochs, int doneEpochs, Func<Task<T>> run) => run();

    public void Waiting(int joined, int needed, string? seed) => Write(WorkerLines.Waiting(joined, needed, seed));

    public void Note(string line) => Write(line);

    public void StepDone(StepProgress step)
    {
    }

    public void EpochDone(EpochMetrics metrics, int epochs) => Write(EpochLine.Format(metrics, epochs));

    private void Write(string line)
    {
        lock (gate) output.WriteLine(line);
    }
}
