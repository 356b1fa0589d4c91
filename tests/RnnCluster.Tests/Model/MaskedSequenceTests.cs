using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;
using static RnnCluster.Tests.Model.ModelFactory;

namespace RnnCluster.Tests.Model;

/// <summary>
/// Sequences of different lengths and maskZero padding: the gradient is that of the loss the engine returns (finite
/// differences, including padding in the middle of a sequence, which PyTorch's packed sequences cannot express), a
/// group's results do not depend on the lengths of the samples it is computed beside (the padded steps the whole
/// shard skips), and padding really is out of the loss.
/// </summary>
public class MaskedSequenceTests
{
    private const int GroupSize = 3;
    private static readonly DropoutKey Key = new(Seed: 5, Epoch: 1);

    private static ShardInput WithLengths(ShardInput shard, params int[] lengths) => shard with { Lengths = lengths };

    /// <summary>Token ids in [1, vocabulary) with the steps <paramref name="padded"/> (sample, step) set to id 0.</summary>
    private static ShardInput Tokens(Network network, LossKind loss, int n, int timesteps, int vocabulary, ulong seed, params (int Sample, int Step)[] padded)
    {
        var shard = Shard(network, loss, n, timesteps, seed);
        var x = shard.X.Select(v => 1f + MathF.Floor((v + 1f) / 2f * (vocabulary - 1))).ToArray();
        foreach (var (sample, step) in padded) x[sample * timesteps + step] = 0f;
        return shard with { X = x };
    }

    [Fact]
    public void Bidirectional_lstm_with_lengths_matches_finite_differences()
    {
        var network = Build(2, new LstmConfig(3, true) { Bidirectional = true }, new GruConfig(2) { Bidirectional = true }, Dense(2));
        var shard = WithLengths(Shard(network, LossKind.Mse, n: 3, timesteps: 5, seed: 7), 5, 2, 4);
        GradientCheck.AssertMatchesFiniteDifferences(network, LossKind.Mse, shard);
    }

    [Fact]
    public void Per_step_classes_with_lengths_match_finite_differences()
    {
        var network = Build(2, new RnnConfig(3, true) { Bidirectional = true }, Dense(4));
        var shard = WithLengths(Shard(network, LossKind.CrossEntropy, n: 3, timesteps: 4, seed: 8), 1, 4, 3);
        GradientCheck.AssertMatchesFiniteDifferences(network, LossKind.CrossEntropy, shard);
    }

    [Fact]
    public void Mask_zero_padding_in_the_middle_of_a_sequence_matches_finite_differences()
    {
        var network = Build(1, new EmbeddingConfig(6, 3, MaskZero: true), new LstmConfig(3, true) { Bidirectional = true }, Gru(3), Dense(2));
        var shard = Tokens(network, LossKind.Mse, n: 3, timesteps: 5, vocabulary: 6, seed: 9, (0, 0), (0, 2), (1, 4), (2, 1), (2, 2));
        GradientCheck.AssertMatchesFiniteDifferences(network, LossKind.Mse, shard);
    }

    [Fact]
    public void A_padded_step_changes_neither_the_loss_nor_the_output_whatever_it_holds()
    {
        var network = Build(2, new GruConfig(4, true) { Bidirectional = true }, Dense(2));
        var engine = new GradientEngine(network, LossKind.Mse, 0);
        var parameters = Parameters(network, 3);
        var shard = WithLengths(Shard(network, LossKind.Mse, n: 4, timesteps: 6, seed: 10), 6, 3, 1, 4);
        var noisy = shard with { X = (float[])shard.X.Clone(), Y = (float[])shard.Y.Clone() };
        for (int t = 3; t < 6; t++)
        {
            noisy.X[(1 * 6 + t) * 2] = 50f;            // sample 1's padded inputs
            noisy.Y[(1 * 6 + t) * 2 + 1] = -1000f;     // and targets
        }
        double Loss(ShardInput input)
        {
            var losses = new LossSums[2];
            engine.EvaluateGroups(parameters, input, GroupSize, losses);
            return losses.Sum(sums => sums.Loss);
        }
        float[] Output(ShardInput input)
        {
            var output = new float[4 * 6 * 2];
            engine.Predict(parameters, input.X, 4, 6, output, input.Lengths);
            return output;
        }
        Assert.Equal(Loss(shard), Loss(noisy));
        Assert.Equal(Output(shard), Output(noisy));
        Assert.Equal(2L * (6 + 3 + 1 + 4), engine.LossTerms(shard, 0, 4));
    }

    [Fact]
    public void A_group_gives_the_same_bits_beside_samples_of_any_length()
    {
        var network = Build(1, new EmbeddingConfig(7, 3, MaskZero: true), new LstmConfig(4, true) { Bidirectional = true }, Dropout(0.3f),
            new GruConfig(3, true), Dense(2));
        var engine = new GradientEngine(network, LossKind.Mse, 0);
        var parameters = Parameters(network, 4);
        int T = 8, targets = T * network.OutputSize;
        var tokens = Tokens(network, LossKind.Mse, n: 9, timesteps: T, vocabulary: 7, seed: 11, (3, 5), (3, 6), (3, 7), (4, 2), (5, 7));
        var all = WithLengths(tokens, 8, 6, 7, 8, 5, 8, 2, 3, 4);

        (float[][] Gradients, LossSums[] Losses) Compute(ShardInput shard)
        {
            int groups = (shard.Count + GroupSize - 1) / GroupSize;
            var gradients = Enumerable.Range(0, groups).Select(_ => new float[parameters.Length]).ToArray();
            var losses = new LossSums[groups];
            engine.ComputeGroups(parameters, shard, GroupSize, 1f / 50, Key, gradients, losses);
            return (gradients, losses);
        }
        ShardInput Part(int first, int count) => Slice(all, first, count, 1, targets) with { Lengths = all.Lengths![first..(first + count)] };

        // Group 1 (samples 3-5) is its shard's longest alone; beside samples 0-2 and 6-8 the shard is longer, and
        // beside 6-8 alone the shard's longest step is inside the group.
        var whole = Compute(all);
        var alone = Compute(Part(3, 3));
        var withShortOnes = Compute(Concat(Part(3, 3), Part(6, 3)));
        Assert.Equal(whole.Gradients[1], alone.Gradients[0]);
        Assert.Equal(whole.Gradients[1], withShortOnes.Gradients[0]);
        Assert.Equal(whole.Losses[1], alone.Losses[0]);
        Assert.Equal(whole.Losses[1], withShortOnes.Losses[0]);
    }

    private static ShardInput Concat(params ShardInput[] shards) => new(
        shards.SelectMany(s => s.X).ToArray(), shards.SelectMany(s => s.Y).ToArray(),
        shards.SelectMany(s => s.SampleIds).ToArray(), shards.Sum(s => s.Count), shards[0].Timesteps)
    {
        Lengths = [.. shards.SelectMany(s => s.Lengths!)],
    };
}
