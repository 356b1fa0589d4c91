namespace Rnn.Math.Training;

/// <summary>
/// A shard's samples, gathered: X is (Count, Timesteps, inputSize); Y is (Count, outputs) for a many-to-one
/// model or (Count, Timesteps, outputs) for many-to-many (class indices, one per sample or timestep, for
/// cross-entropy). SampleIds are the samples' indices in the dataset, which key their dropout masks.
/// </summary>
public sealed record ShardInput(float[] X, float[] Y, int[] SampleIds, int Count, int Timesteps);

/// <summary>What keys dropout masks besides the sample: the run's seed and the epoch.</summary>
public readonly record struct DropoutKey(ulong Seed, int Epoch);
