using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Progress;

/// <summary>
/// Shows a training run to the user while it runs. <see cref="StepDone"/> and <see cref="EpochDone"/> may be
/// called from any thread.
/// <see cref="Show{T}"/> wraps the whole run, because a live display must own the terminal while it lasts.
/// </summary>
internal interface ITrainingDisplay
{
    Task<T> Show<T>(int epochs, Func<Task<T>> run);

    void StepDone(StepProgress step);

    void EpochDone(EpochMetrics metrics, int epochs);
}
