using Rnn.Math.Config;

namespace RnnCluster.Coordinator.Training;

/// <summary>
/// Sequences as plain arrays, independent of where they came from: X is (Samples, Timesteps, InputSize) and
/// Y is (Samples, TargetsPerSample): the outputs, Timesteps × outputs for a sequence output, or class indices.
/// </summary>
public sealed record SequenceSet(float[] X, float[] Y, int Samples, int Timesteps, int InputSize, int TargetsPerSample)
{
    public SequenceSet Validated(string name)
    {
        if (Samples < 0 || Timesteps < 1 || InputSize < 1 || TargetsPerSample < 1)
            throw new ArgumentException($"{name}: sizes must be positive");
        if (X.Length != (long)Samples * Timesteps * InputSize || Y.Length != (long)Samples * TargetsPerSample)
            throw new ArgumentException($"{name}: X holds {X.Length} and Y {Y.Length} values, not ({Samples}, {Timesteps}, {InputSize}) and ({Samples}, {TargetsPerSample})");
        return this;
    }
}

/// <summary>
/// Everything a training run needs: the model and how to train it, the data, and the weights to start from
/// (the model's initialisation or `--init-weights`, in the model's flat parameter layout).
/// </summary>
public sealed record TrainingJob(
    ModelConfig Model,
    TrainingConfig Training,
    SequenceSet Train,
    SequenceSet? Validation,
    float[] InitialWeights);
