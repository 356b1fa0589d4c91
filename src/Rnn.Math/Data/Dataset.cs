using Rnn.Math.Training;

namespace Rnn.Math.Data;

/// <summary>
/// The size of a dataset about to be built, as <see cref="Dataset"/> will hold it: <see cref="Samples"/> sequences
/// of <see cref="Timesteps"/> × <see cref="Features"/>, the first <see cref="TrainCount"/> of them for training.
/// </summary>
public readonly record struct DatasetSize(int Samples, int TrainCount, int Timesteps, int Features);

/// <summary>
/// Samples ready for training. X is (Samples, Timesteps, Features); Y is (Samples, Targets) for many-to-one
/// or (Samples, Timesteps, Targets) when <see cref="SequenceTargets"/>. When <see cref="Classes"/> is above
/// zero, Y holds class indices in [0, Classes) (one per sample or timestep, so Targets is 1) for
/// cross-entropy. The first <see cref="TrainCount"/> samples train; the rest, taken from the end as Keras's
/// `validation_split` does, validate.
/// </summary>
public sealed record Dataset(
    float[] X,
    float[] Y,
    int Samples,
    int Timesteps,
    int Features,
    int Targets,
    bool SequenceTargets,
    int TrainCount)
{
    public int Classes { get; init; }

    /// <summary>Each sample's real steps, 1..Timesteps (safetensors `lengths`), as floats as the data plane ships them; null when every step is real.</summary>
    public float[]? Lengths { get; init; }

    /// <summary>How a CSV series was normalised, to apply to new input and undo on predictions; null otherwise.</summary>
    public SeriesScaling? Scaling { get; init; }

    public int ValidationCount => Samples - TrainCount;

    /// <summary>Y values per sample: Targets, times Timesteps for sequence targets.</summary>
    public int TargetsPerSample => SequenceTargets ? Timesteps * Targets : Targets;

    /// <summary>The validation samples' indices: TrainCount .. Samples - 1.</summary>
    public int[] ValidationIds() => [.. Enumerable.Range(TrainCount, ValidationCount)];

    /// <summary>Copies the samples <paramref name="sampleIds"/>, in that order, into one shard.</summary>
    public ShardInput Gather(IReadOnlyList<int> sampleIds)
        => ShardInput.Gather(X, Y, Timesteps, Features, TargetsPerSample, [.. sampleIds], Lengths);
}
