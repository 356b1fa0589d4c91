namespace RnnCluster.Coordinator.Progress;

/// <summary>
/// Shows a training run to the user while it runs. The run's callbacks may come from any thread.
/// <see cref="Show{T}"/> wraps the whole run, because a live display must own the terminal while it lasts.
/// </summary>
internal interface ITrainingDisplay
{
    Task<T> Show<T>(int epochs, int batchesPerEpoch, Func<Task<T>> run);

    void BatchDone(int epoch, int batch, int workers);

    void EpochDone(EpochReport report);
}
