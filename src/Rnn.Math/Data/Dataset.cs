using Rnn.Math.Training;

namespace Rnn.Math.Data;

/// <summary>
/// The size of a dataset about to be built, as <see cref="Dataset"/> will hold it: <see cref="Samples"/> sequences
/// of <see cref="Timesteps"/> × <see cref="Features"/>, the first <see cref="TrainCount"/> of them for training.
/// </summary>
public readonly record struct DatasetSize(int Samples, int TrainCount, int Timesteps, int Features)
{
    /// <summary>Whether x and y will be a file's bytes mapped in place (<see cref="Dataset.MappedFile"/>) rather than arrays.</summary>
    public bool Mapped { get; init; }
}

/// <summary>
/// Samples ready for training. X is (Samples, Timesteps, Features); Y is (Samples, Targets) for many-to-one
/// or (Samples, Timesteps, Targets) when <see cref="SequenceTargets"/>. When <see cref="Classes"/> is above
/// zero, Y holds class indices in [0, Classes) (one per sample or timestep, so Targets is 1) for
/// cross-entropy. The first <see cref="TrainCount"/> samples train; the rest, taken from the end as Keras's
/// `validation_split` does, validate. X and Y may be a file's own bytes, memory-mapped (<see cref="MappedFile"/>).
/// </summary>
public sealed record Dataset(
    ReadOnlyMemory<float> X,
    ReadOnlyMemory<float> Y,
    int Samples,
    int Timesteps,
    int Features,
    int Targets,
    bool SequenceTargets,
    int TrainCount)
{
    public int Classes { get; init; }

    /// <summary>
    /// The safetensors file whose float32 `x` and `y` X and Y map in place (<see cref="Weights.SafeTensors.Map"/>): a
    /// worker may map its own copy of it instead of being sent the data; null when they are arrays of their own.
    /// </summary>
    public string? MappedFile { get; init; }

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
        => ShardInput.Gather(X.Span, Y.Span, Timesteps, Features, TargetsPerSample, [.. sampleIds], Lengths);
}
