using Rnn.Math.Config;
using RnnCluster.Coordinator.Training;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Actors;

/// <summary>Small jobs with every feature that could make the result depend on the split of the work.</summary>
internal static class TestJobs
{
    /// <summary>lstm(returnSequences) → dropout → gru → dense, shuffled, clipped, with a validation part.</summary>
    public static TrainingJob StackedLstmGru(int trainSamples = 37, int validationSamples = 11, int epochs = 2)
    {
        var model = new ModelConfig(2,
        [
            new LstmConfig(5, ReturnSequences: true),
            new DropoutConfig(0.25f),
            new GruConfig(4),
            new DenseConfig(1),
        ]);
        var training = new TrainingConfig(
            Epochs: epochs, BatchSize: 10, Loss: LossKind.Mse, Shuffle: true, Seed: 7, ClipNorm: 0.05f,
            Optimizer: new OptimizerConfig(LearningRate: 0.01f), GroupSize: 2);
        return TrainingJob.Create(model, training, RandomSet(trainSamples, 6, 2, 1, seed: 1), RandomSet(validationSamples, 6, 2, 1, seed: 2));
    }

    public static SequenceSet RandomSet(int samples, int timesteps, int inputs, int targets, int seed)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, samples * timesteps * inputs).Select(_ => random.NextSingle() * 2 - 1).ToArray();
        var y = Enumerable.Range(0, samples * targets).Select(_ => random.NextSingle()).ToArray();
        return new SequenceSet(x, y, samples, timesteps, inputs, targets);
    }
}
