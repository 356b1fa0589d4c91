using Rnn.Math.Losses;
using Rnn.Math.Training;

namespace RnnCluster.Tests.Training;

public class ReductionTreeTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(13)]
    public void Cover_tiles_every_range_exactly_with_few_nodes(int groupCount)
    {
        for (int first = 0; first < groupCount; first++)
            for (int end = first + 1; end <= groupCount; end++)
            {
                var nodes = ReductionTree.Cover(first, end, groupCount);
                int position = first;
                foreach (var node in nodes)
                {
                    Assert.Equal(position, node.FirstGroup);
                    position = node.EndGroup(groupCount);
                }
                Assert.Equal(end, position);
                Assert.True(nodes.Count <= 2 * ReductionTree.RootLevel(groupCount) + 1);
            }
    }

    [Fact]
    public void Whole_range_is_one_root_node()
    {
        var nodes = ReductionTree.Cover(0, 13, 13);
        Assert.Equal(new TreeNode(4, 0), Assert.Single(nodes));
    }

    [Theory]
    [InlineData(new[] { 13 })]
    [InlineData(new[] { 7, 6 })]
    [InlineData(new[] { 3, 5, 5 })]
    [InlineData(new[] { 1, 1, 4, 2, 5 })]
    public void Any_split_gives_the_same_bits_as_one_worker(int[] shardSizes)
    {
        const int groupCount = 13, length = 257;
        var leaves = Enumerable.Range(0, groupCount).Select(g => RandomVector(length, (ulong)g)).ToArray();

        var whole = Finish(groupCount, leaves, [groupCount]);
        var split = Finish(groupCount, leaves, shardSizes);

        Assert.Equal(whole.Gradient, split.Gradient);
        Assert.Equal(whole.Sums, split.Sums);
    }

    [Fact]
    public void Root_is_the_pairwise_tree_sum()
    {
        float[][] leaves = [[1e8f], [1f], [-1e8f], [1f], [0.5f]];
        var root = Finish(5, leaves, [5]).Gradient[0];
        float expected = ((1e8f + 1f) + (-1e8f + 1f)) + 0.5f;
        Assert.Equal(expected, root);
    }

    [Fact]
    public void Accumulator_refuses_a_group_twice()
    {
        var accumulator = new TreeAccumulator(4);
        Assert.True(accumulator.Add(new TreeNode(1, 0), [1f], new LossSums(1, 1, 1, 1)));
        Assert.False(accumulator.Add(new TreeNode(0, 1), [1f], new LossSums(1, 1, 1, 1)));
        Assert.False(accumulator.IsComplete);
    }

    private static (float[] Gradient, LossSums Sums) Finish(int groupCount, float[][] leaves, int[] shardSizes)
    {
        var accumulator = new TreeAccumulator(groupCount);
        var partials = new List<(TreeNode Node, float[] Gradient, LossSums Sums)>();
        int first = 0;
        foreach (int size in shardSizes)
        {
            int end = first + size;
            var local = leaves[first..end].Select(l => (float[])l.Clone()).ToArray();
            var losses = local.Select(l => new LossSums(l[0], l[0] * 3.0, System.Math.Abs(l[0]), (double)l[0] * l[0])).ToArray();
            foreach (var node in ReductionTree.Cover(first, end, groupCount))
            {
                ReductionTree.SumInPlace(node, groupCount, local, losses, first);
                partials.Add((node, local[node.FirstGroup - first], losses[node.FirstGroup - first]));
            }
            first = end;
        }
        // Arrival order must not matter: feed the partial sums last to first.
        partials.Reverse();
        foreach (var (node, gradient, loss) in partials)
            Assert.True(accumulator.Add(node, gradient, loss));
        return accumulator.Root;
    }

    private static float[] RandomVector(int length, ulong seed)
        => Enumerable.Range(0, length).Select(i => CounterRandom.Uniform(seed, (ulong)i) * 2e3f - 1e3f).ToArray();
}
