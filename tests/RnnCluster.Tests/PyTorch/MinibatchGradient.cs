using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;

namespace RnnCluster.Tests.PyTorch;

/// <summary>
/// The gradient of a minibatch's mean loss, and that loss, computed as a training round does: one gradient per
/// group of consecutive samples, summed along the fixed tree. No dropout: PyTorch cannot draw our masks.
/// </summary>
public static class MinibatchGradient
{
    public static (float[] Gradient, double Loss) Of(GradientEngine engine, int groupSize, ShardInput minibatch, ReadOnlySpan<float> parameters)
    {
        int groupCount = (minibatch.Count + groupSize - 1) / groupSize;
        int parameterCount = parameters.Length;
        var gradients = Enumerable.Range(0, groupCount).Select(_ => new float[parameterCount]).ToArray();
        var losses = new LossSums[groupCount];
        // The mean divides by the minibatch's loss terms: an output, or a class index for crossentropy, per
        // sample or per real step.
        float lossScale = 1f / engine.LossTerms(minibatch, 0, minibatch.Count);
        engine.ComputeGroups(parameters, minibatch, groupSize, lossScale, null, gradients, losses);
        ReductionTree.SumInPlace(new TreeNode(ReductionTree.RootLevel(groupCount), 0), groupCount, gradients, losses, 0);
        return (gradients[0], losses[0].Loss * lossScale);
    }
}
