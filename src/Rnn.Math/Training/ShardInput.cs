namespace Rnn.Math.Training;

/// <summary>
/// A shard's samples, gathered: X is (Count, Timesteps, inputSize); Y is (Count, outputs) for a many-to-one
/// model or (Count, Timesteps, outputs) for many-to-many (class indices, one per sample or timestep, for
/// cross-entropy). SampleIds are the samples' indices in the dataset, which key their dropout masks.
/// </summary>
public sealed record ShardInput(float[] X, float[] Y, int[] SampleIds, int Count, int Timesteps)
{
    /// <summary>
    /// The samples <paramref name="sampleIds"/>, copied in that order out of a whole set: allX (N, T, inputSize)
    /// and allY (N, targetsPerSample).
    /// </summary>
    public static ShardInput Gather(ReadOnlySpan<float> allX, ReadOnlySpan<float> allY, int timesteps, int inputSize,
        int targetsPerSample, int[] sampleIds)
    {
        int xWidth = timesteps * inputSize, yWidth = targetsPerSample;
        var x = new float[sampleIds.Length * xWidth];
        var y = new float[sampleIds.Length * yWidth];
        for (int i = 0; i < sampleIds.Length; i++)
        {
            allX.Slice(sampleIds[i] * xWidth, xWidth).CopyTo(x.AsSpan(i * xWidth));
            allY.Slice(sampleIds[i] * yWidth, yWidth).CopyTo(y.AsSpan(i * yWidth));
        }
        return new ShardInput(x, y, sampleIds, sampleIds.Length, timesteps);
    }
}

/// <summary>What keys dropout masks besides the sample: the run's seed and the epoch.</summary>
public readonly record struct DropoutKey(ulong Seed, int Epoch);
