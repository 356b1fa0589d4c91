using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Tests.Actors;

using Optimizer = Rnn.Math.Training.Optimizer;

/// <summary>
/// The reference the actors are held to: the training step written as one plain loop in one thread, each
/// minibatch computed whole by one engine and summed along the reduction tree (docs/determinism.md).
/// </summary>
internal static class SequentialTrainer
{
    public static float[] Train(TrainingJob job) => Run(job).Weights;

    /// <summary>Σ over minibatches of (mean loss × samples) / samples: the epoch loss as Keras weights it.</summary>
    public static double FirstEpochLoss(TrainingJob job) => Run(job with { Training = job.Training with { Epochs = 1 } }).EpochLosses[0];

    private static (float[] Weights, List<double> EpochLosses) Run(TrainingJob job)
    {
        var t = job.Training;
        var engine = new GradientEngine(new Network(job.Model), t.Loss, t.TruncatedBptt);
        var weights = (float[])job.InitialWeights.Clone();
        var optimizer = Optimizer.Create(t.OptimizerOrDefault);
        var state = optimizer.Initial(weights.Length);
        var data = job.Train;
        int terms = engine.LossTermsPerSample(data.Timesteps);
        var epochLosses = new List<double>();
        for (int epoch = 0; epoch < t.Epochs; epoch++)
        {
            var order = t.Shuffle ? CounterRandom.Permutation(data.Samples, t.Seed, (ulong)epoch) : Enumerable.Range(0, data.Samples).ToArray();
            double weightedLoss = 0;
            foreach (var ids in order.Chunk(t.BatchSize))
            {
                int groups = (ids.Length + t.GroupSize - 1) / t.GroupSize;
                var gradients = Enumerable.Range(0, groups).Select(_ => new float[weights.Length]).ToArray();
                var losses = new LossSums[groups];
                engine.ComputeGroups(weights, Gather(data, ids), t.GroupSize, 1f / (terms * ids.Length),
                    new DropoutKey(t.Seed, epoch), gradients, losses);
                ReductionTree.SumInPlace(new TreeNode(ReductionTree.RootLevel(groups), 0), groups, gradients, losses, 0);
                if (t.ClipNorm > 0) GradientClipping.ClipGlobalNorm(gradients[0], t.ClipNorm);
                (weights, state) = optimizer.Step(weights, state, gradients[0]);
                weightedLoss += losses[0].Loss / ((double)ids.Length * terms) * ids.Length;
            }
            epochLosses.Add(weightedLoss / data.Samples);
        }
        return (weights, epochLosses);
    }

    private static ShardInput Gather(SequenceSet data, int[] ids)
    {
        int xWidth = data.Timesteps * data.InputSize, yWidth = data.TargetsPerSample;
        var x = ids.SelectMany(i => data.X.ToArray().Skip(i * xWidth).Take(xWidth)).ToArray();
        var y = ids.SelectMany(i => data.Y.ToArray().Skip(i * yWidth).Take(yWidth)).ToArray();
        return new ShardInput(x, y, ids, ids.Length, data.Timesteps);
    }
}
