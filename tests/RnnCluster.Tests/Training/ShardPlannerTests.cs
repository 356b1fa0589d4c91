using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Tests.Training;

/// <summary>How a run of groups is cut among workers of given speeds.</summary>
public class ShardPlannerTests
{
    [Theory]
    [InlineData(0, 64, new[] { 1.0, 1.0, 1.0 })]
    [InlineData(5, 70, new[] { 4.0, 1.0 })]
    [InlineData(0, 3, new[] { 1.0, 1.0, 1.0, 1.0, 1.0 })]
    [InlineData(17, 18, new[] { 0.5, 2.0 })]
    public void The_shards_tile_the_groups_in_order(int first, int end, double[] speeds)
    {
        var shards = ShardPlanner.Plan(first, end, speeds);

        Assert.Equal(speeds.Length, shards.Count);
        Assert.Equal(first, shards[0].First);
        Assert.Equal(end, shards[^1].End);
        for (int s = 1; s < shards.Count; s++) Assert.Equal(shards[s - 1].End, shards[s].First);
        Assert.All(shards, shard => Assert.True(shard.First <= shard.End));
    }

    [Fact]
    public void Each_worker_gets_groups_in_proportion_to_its_speed()
    {
        var shards = ShardPlanner.Plan(0, 384, [1, 3, 4]);

        Assert.Equal([48, 144, 192], shards.Select(s => s.End - s.First));
    }

    [Fact]
    public void A_boundary_moves_to_an_aligned_group_so_each_shard_returns_few_tree_nodes()
    {
        // 256 groups over 3 equal workers: a fair third is 85.3 groups; the boundaries go to multiples of 8, the
        // largest power of two within an eighth of a share. Cut at 85 and 171, they would return 4, 8 and 4 nodes.
        var shards = ShardPlanner.Plan(0, 256, [1, 1, 1]);

        Assert.Equal([(0, 88), (88, 168), (168, 256)], shards);
        Assert.Equal([3, 4, 3], shards.Select(s => ReductionTree.Cover(s.First, s.End, 256).Count));
    }

    [Fact]
    public void A_worker_too_slow_for_one_group_gets_none()
    {
        var shards = ShardPlanner.Plan(0, 4, [100, 1]);

        Assert.Equal([(0, 4), (4, 4)], shards);
    }

    [Fact]
    public void No_speed_or_a_non_positive_one_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardPlanner.Plan(0, 4, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardPlanner.Plan(0, 4, [1, 0]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardPlanner.Plan(0, 4, [double.NaN]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShardPlanner.Plan(3, 3, [1]));
    }
}
