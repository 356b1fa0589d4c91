using Rnn.Math.Config;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;
using static RnnCluster.Tests.Model.ModelFactory;

namespace RnnCluster.Tests.Model;

/// <summary>
/// The distributed promise at the engine's level: a group's gradient and loss are the same bits wherever it is
/// computed, so any split of a minibatch into shards, finished along the fixed tree, gives the same bits.
/// </summary>
public class GroupDeterminismTests
{
    private const int GroupSize = 3;
    private static readonly DropoutKey Key = new(Seed: 11, Epoch: 3);

    private static Network StackedNetwork() => Build(3, Lstm(5, sequences: true), Dropout(0.25f), Gru(4, sequences: true), Dense(2, Activation.Tanh));

    private static (float[][] Gradients, LossSums[] Losses) Compute(GradientEngine engine, float[] parameters, ShardInput shard, float scale)
    {
        int groups = (shard.Count + GroupSize - 1) / GroupSize;
        var gradients = Enumerable.Range(0, groups).Select(_ => new float[parameters.Length]).ToArray();
        var losses = new LossSums[groups];
        engine.ComputeGroups(parameters, shard, GroupSize, scale, Key, gradients, losses);
        return (gradients, losses);
    }

    private static ShardInput Concat(params ShardInput[] shards) => new(
        shards.SelectMany(s => s.X).ToArray(), shards.SelectMany(s => s.Y).ToArray(),
        shards.SelectMany(s => s.SampleIds).ToArray(), shards.Sum(s => s.Count), shards[0].Timesteps);

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void GroupGradient_IsBitIdentical_AloneOrInsideLargerShardsAtOtherOffsets(int truncatedBptt)
    {
        var network = StackedNetwork();
        var engine = new GradientEngine(network, LossKind.Mse, truncatedBptt);
        var parameters = Parameters(network, 4);
        int T = 5, targets = T * network.OutputSize;
        var minibatch = Shard(network, LossKind.Mse, n: 11, timesteps: T, seed: 21, firstId: 100);
        var strangers = Shard(network, LossKind.Mse, n: 8, timesteps: T, seed: 22, firstId: 500);
        float scale = 1f / (11 * engine.LossTermsPerSample(T));
        var group = Slice(minibatch, 3, 3, network.InputSize, targets);

        var inMinibatch = Compute(engine, parameters, minibatch, scale);           // group 1 of 4
        var alone = Compute(engine, parameters, group, scale);                     // group 0 of 1
        var amongStrangers = Compute(engine, parameters,                           // group 2 of 4, other neighbours
            Concat(Slice(strangers, 0, 6, network.InputSize, targets), group, Slice(strangers, 6, 2, network.InputSize, targets)), scale);

        Assert.Equal(inMinibatch.Gradients[1], alone.Gradients[0]);
        Assert.Equal(inMinibatch.Gradients[1], amongStrangers.Gradients[2]);
        Assert.Equal(inMinibatch.Losses[1], alone.Losses[0]);
        Assert.Equal(inMinibatch.Losses[1], amongStrangers.Losses[2]);
    }

    [Fact]
    public void ShardSplit_OneTwoThreeAndFiveWays_GivesBitIdenticalMinibatchGradient()
    {
        var network = StackedNetwork();
        var engine = new GradientEngine(network, LossKind.Mse, truncatedBptt: 0);
        var parameters = Parameters(network, 8);
        int n = 23, T = 4, targets = T * network.OutputSize, groupCount = (n + GroupSize - 1) / GroupSize;
        var minibatch = Shard(network, LossKind.Mse, n, T, seed: 31, firstId: 40);
        float scale = 1f / (n * engine.LossTermsPerSample(T));

        (float[] Gradient, LossSums Sums) Reduce(int ways)
        {
            var accumulator = new TreeAccumulator(groupCount);
            for (int shard = ways - 1; shard >= 0; shard--)
            {
                int first = shard * groupCount / ways, end = (shard + 1) * groupCount / ways;
                int firstSample = first * GroupSize, samples = System.Math.Min(end * GroupSize, n) - firstSample;
                var (gradients, losses) = Compute(engine, parameters, Slice(minibatch, firstSample, samples, network.InputSize, targets), scale);
                foreach (var node in ReductionTree.Cover(first, end, groupCount))
                {
                    ReductionTree.SumInPlace(node, groupCount, gradients, losses, first);
                    Assert.True(accumulator.Add(node, gradients[node.FirstGroup - first], losses[node.FirstGroup - first]));
                }
            }
            return accumulator.Root;
        }

        var whole = Reduce(1);
        foreach (int ways in new[] { 2, 3, 5 })
        {
            var split = Reduce(ways);
            Assert.Equal(whole.Gradient, split.Gradient);
            Assert.Equal(whole.Sums, split.Sums);
        }
    }
}
