using Rnn.Math.Config;
using Rnn.Math.Training;

namespace RnnCluster.Worker.Compute;

/// <summary>
/// What a worker needs from Rnn.Math to turn a shard into gradients: the forward pass and BPTT over the shard's
/// samples with one gradient per group (see Rnn.Math.Model.GradientEngine). One instance per thread: it owns
/// scratch memory.
/// </summary>
public interface IGradientEngine
{
    int ParameterCount { get; }

    /// <summary>
    /// gradients[k] receives group k's gradient of the minibatch-mean loss (the output gradient scaled by
    /// <paramref name="lossScale"/>) and losses[k] its unscaled loss sum; a group is <paramref name="groupSize"/>
    /// consecutive samples of <paramref name="shard"/>, the last one possibly shorter.
    /// </summary>
    void ComputeGroups(
        ReadOnlySpan<float> parameters,
        ShardInput shard,
        int groupSize,
        float lossScale,
        DropoutKey? dropout,
        IReadOnlyList<float[]> gradients,
        Span<double> losses);
}

/// <summary>Builds an engine for a job's model, loss and BPTT truncation.</summary>
public delegate IGradientEngine GradientEngineFactory(ModelConfig model, TrainingConfig training);
