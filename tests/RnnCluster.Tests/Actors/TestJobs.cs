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

    /// <summary>
    /// lstm(returnSequences, stateful) → dropout → gru(stateful) → dense over 37 windows read as 10 streams of 3 or 4,
    /// in groups of 2, clipped, with 11 validation windows (10 streams of 1 or 2).
    /// </summary>
    public static TrainingJob StatefulLstmGru(int epochs = 2, bool stateful = true)
    {
        var model = new ModelConfig(2,
        [
            new LstmConfig(5, ReturnSequences: true) { Stateful = stateful },
            new DropoutConfig(0.25f),
            new GruConfig(4) { Stateful = stateful },
            new DenseConfig(1),
        ]);
        var training = new TrainingConfig(
            Epochs: epochs, BatchSize: 10, Loss: LossKind.Mse, Shuffle: false, Seed: 7, ClipNorm: 0.05f,
            Optimizer: new OptimizerConfig(LearningRate: 0.01f), GroupSize: 2);
        return TrainingJob.Create(model, training, RandomSet(37, 6, 2, 1, seed: 1), RandomSet(11, 6, 2, 1, seed: 2));
    }

    public static SequenceSet RandomSet(int samples, int timesteps, int inputs, int targets, int seed)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, samples * timesteps * inputs).Select(_ => random.NextSingle() * 2 - 1).ToArray();
        var y = Enumerable.Range(0, samples * targets).Select(_ => random.NextSingle()).ToArray();
        return new SequenceSet(x, y, samples, timesteps, inputs, targets);
    }
}
