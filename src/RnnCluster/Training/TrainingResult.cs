namespace RnnCluster.Coordinator.Training;

/// <summary>
/// What a finished run hands back: the final state (<see cref="Weights"/> is the model; the optimizer state and
/// epoch history come with it), the metrics of every epoch, and the timing of every training round.
/// </summary>
public sealed record TrainingResult(TrainingState State, IReadOnlyList<RoundTiming> Rounds)
{
    /// <summary>The final weights in the model's flat parameter layout.</summary>
    public float[] Weights => State.Weights;

    /// <summary>One entry per epoch trained, resumed epochs included.</summary>
    public IReadOnlyList<EpochMetrics> Epochs => State.History;

    internal Action ReleaseWorkers { get; init; } = () => { };
}
