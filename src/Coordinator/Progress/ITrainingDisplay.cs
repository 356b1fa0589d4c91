using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Progress;

/// <summary>
/// Shows a training run to the user while it runs. Every method but <see cref="Show{T}"/> may be called from
/// any thread. <see cref="Show{T}"/> wraps the whole run, because a live display must own the terminal while it
/// lasts; a resumed run starts with <c>doneEpochs</c> of <c>epochs</c> behind it.
/// </summary>
internal interface ITrainingDisplay
{
    Task<T> Show<T>(int epochs, int doneEpochs, Func<Task<T>> run);

    /// <summary>
    /// Training waits for <paramref name="needed"/> workers, <paramref name="joined"/> are there; <paramref name="seed"/>
    /// is what a worker gives as `--seed-nodes`. Kept in view until the first step.
    /// </summary>
    void Waiting(int joined, int needed, string? seed);

    /// <summary>A line worth keeping in the output: a worker joined or left.</summary>
    void Note(string line);

    void StepDone(StepProgress step);

    void EpochDone(EpochMetrics metrics, int epochs);
}
