using Rnn.Math.Config;
using Rnn.Math.Model;
using Rnn.Math.Training;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Model;

/// <summary>Small networks, parameters and shards for the model tests, all derived from fixed seeds.</summary>
internal static class ModelFactory
{
    public static Network Build(int inputSize, params LayerConfig[] layers) => new(new ModelConfig(inputSize, layers));

    public static LayerConfig Lstm(int units, bool sequences = false) => new LstmConfig(units, sequences);

    public static LayerConfig Gru(int units, bool sequences = false) => new GruConfig(units, sequences);

    public static LayerConfig TanhRnn(int units, bool sequences = false) => new RnnConfig(units, sequences);

    public static LayerConfig Dense(int units, Activation activation = Activation.Linear) => new DenseConfig(units, Activation: activation);

    public static LayerConfig Dropout(float rate) => new DropoutConfig(rate);

    /// <summary>Keras initialisation plus uniform noise of ±0.2 on every parameter, so no bias is zero and no gate symmetric.</summary>
    public static float[] Parameters(Network network, ulong seed)
    {
        var parameters = new float[network.ParameterCount];
        network.Initialize(parameters, seed);
        var noise = Uniform(parameters.Length, seed + 1000, 0.2f);
        for (int j = 0; j < parameters.Length; j++) parameters[j] += noise[j];
        return parameters;
    }

    /// <summary>count values uniform in ±scale, keyed by seed.</summary>
    public static float[] Uniform(int count, ulong seed, float scale)
    {
        var values = new float[count];
        for (int j = 0; j < values.Length; j++)
            values[j] = (2f * CounterRandom.Uniform(seed, 77, (ulong)j) - 1f) * scale;
        return values;
    }

    /// <summary>A shard of n random sequences with targets fitting the loss; sample ids start at firstId.</summary>
    public static ShardInput Shard(Network network, LossKind loss, int n, int timesteps, ulong seed, int firstId = 0)
    {
        var x = Uniform(n * timesteps * network.InputSize, seed, 1f);
        int rows = n * (network.OutputIsSequence ? timesteps : 1);
        float[] y = loss == LossKind.CrossEntropy
            ? Uniform(rows, seed + 1, 1f).Select(v => MathF.Floor((v + 1f) / 2f * network.OutputSize)).ToArray()
            : Uniform(rows * network.OutputSize, seed + 1, 1f);
        return new ShardInput(x, y, Enumerable.Range(firstId, n).ToArray(), n, timesteps);
    }

    /// <summary>Samples [first, first + count) of a shard as a shard of its own.</summary>
    public static ShardInput Slice(ShardInput shard, int first, int count, int inputSize, int targetsPerSample)
    {
        int xPer = shard.Timesteps * inputSize;
        return new ShardInput(
            shard.X.AsSpan(first * xPer, count * xPer).ToArray(),
            shard.Y.AsSpan(first * targetsPerSample, count * targetsPerSample).ToArray(),
            shard.SampleIds.AsSpan(first, count).ToArray(), count, shard.Timesteps);
    }
}
