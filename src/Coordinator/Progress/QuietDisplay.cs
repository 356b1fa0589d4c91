using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Progress;

/// <summary>--quiet: nothing while training; the command still prints errors and its final summary.</summary>
internal sealed class QuietDisplay : ITrainingDisplay
{
    public Task<T> Show<T>(int epochs, int doneEpochs, Func<Task<T>> run) => run();

    public void Waiting(int joined, int needed, string? seed)
    {
    }

    public void Note(string line)
    {
    }

    public void StepDone(StepProgress step)
    {
    }

    public void EpochDone(EpochMetrics metrics, int epochs)
    {
    }
}
