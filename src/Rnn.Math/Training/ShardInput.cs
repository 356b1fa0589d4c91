namespace Rnn.Math.Training;

/// <summary>
/// A shard's samples, gathered: X is (Count, Timesteps, inputSize); Y is (Count, outputs) for a many-to-one
/// model or (Count, Timesteps, outputs) for many-to-many (class indices, one per sample or timestep, for
/// cross-entropy). SampleIds are the samples' indices in the dataset, which key their dropout masks.
/// <see cref="Lengths"/>, when the data has them, are the samples' real steps (1..Timesteps); the rest is padding.
/// <see cref="State"/>, for a stateful model, is the state (Count, GradientEngine.StateWidth) each sample starts from.
/// </summary>
public sealed record ShardInput(float[] X, float[] Y, int[] SampleIds, int Count, int Timesteps)
{
    public int[]? Lengths { get; init; }

    public float[]? State { get; init; }

    /// <summary>
    /// The samples <paramref name="sampleIds"/>, copied in that order out of a whole set: allX (N, T, inputSize)
    /// and allY (N, targetsPerSample), with their lengths out of allLengths (N) when it is not empty.
    /// </summary>
    public static ShardInput Gather(ReadOnlySpan<float> allX, ReadOnlySpan<float> allY, int timesteps, int inputSize,
        int targetsPerSample, int[] sampleIds, ReadOnlySpan<float> allLengths = default)
    {
        int xWidth = timesteps * inputSize, yWidth = targetsPerSample;
        var x = new float[sampleIds.Length * xWidth];
        var y = new float[sampleIds.Length * yWidth];
        for (int i = 0; i < sampleIds.Length; i++)
        {
            allX.Slice(sampleIds[i] * xWidth, xWidth).CopyTo(x.AsSpan(i * xWidth));
            allY.Slice(sampleIds[i] * yWidth, yWidth).CopyTo(y.AsSpan(i * yWidth));
        }
        int[]? lengths = null;
        if (!allLengths.IsEmpty)
        {
            lengths = new int[sampleIds.Length];
            for (int i = 0; i < sampleIds.Length; i++) lengths[i] = (int)allLengths[sampleIds[i]];
        }
        return new ShardInput(x, y, sampleIds, sampleIds.Length, timesteps) { Lengths = lengths };
    }
}

/// <summary>What keys dropout masks besides the sample: the run's seed and the epoch.</summary>
public readonly record struct DropoutKey(ulong Seed, int Epoch);
