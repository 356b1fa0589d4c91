using Rnn.Math.Losses;
using Rnn.Math.Training;
using RnnCluster.Shared.DataPlane;

namespace RnnCluster.Tests.DataPlane;

/// <summary>
/// The reduction tree finished among workers (TreeRoutes, TreeAssembly), against the whole tree summed in one
/// place (ReductionTree.SumInPlace): the same bits for every split, every arrival order and any segment size.
/// </summary>
public class TreeAssemblyTests
{
    [Fact]
    public void An_aligned_split_sends_one_node_per_worker_and_the_root()
    {
        var transfers = TreeRoutes.Plan([0, 4, 8, 12, 16]);
        Assert.Equal(
            [(new TreeNode(2, 1), 1, 0), (new TreeNode(2, 3), 3, 2), (new TreeNode(3, 1), 2, 0), (new TreeNode(4, 0), 0, TreeRoutes.Coordinator)],
            transfers.Select(t => (t.Node, t.FromShard, t.ToShard)));
    }

    [Fact]
    public void No_shard_sends_more_than_one_node_per_tree_level()
    {
        for (int groups = 1; groups <= 12; groups++)
            foreach (var bounds in Splits(groups, 5))
                foreach (var perShard in TreeRoutes.Plan(bounds).GroupBy(t => t.FromShard))
                    Assert.Equal(perShard.Count(), perShard.Select(t => t.Node.Level).Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    public void Every_split_and_arrival_order_gives_the_bits_of_the_whole_tree(int seed)
    {
        var random = new Random(seed);
        const int length = Segments.Floats + 123;
        for (int groups = 1; groups <= 9; groups++)
        {
            var leaves = Enumerable.Range(0, groups).Select(_ => Enumerable.Range(0, length).Select(_ => random.NextSingle() * 2 - 1).ToArray()).ToArray();
            var expected = WholeTree(leaves);
            foreach (var bounds in Splits(groups, 4))
                Assert.Equal(expected, AmongShards(leaves, bounds, random));
        }
    }

    /// <summary>Each shard sums its cover nodes and runs an assembly; segments travel in a random order between them.</summary>
    private static float[] AmongShards(float[][] leaves, int[] bounds, Random random)
    {
        int groups = leaves.Length, shards = bounds.Length - 1;
        var transfers = TreeRoutes.Plan(bounds);
        var root = new float[leaves[0].Length];
        var inFlight = new List<(int ToShard, TreeNode Node, int Segment, float[] Values)>();
        var assemblies = new TreeAssembly[shards];
        var rootInputs = new Dictionary<TreeNode, float[]> { [new TreeNode(ReductionTree.RootLevel(groups), 0)] = root };
        var coordinator = new TreeAssembly(1, groups, root.Length, _ => false, rootInputs, rootInputs.Keys, (_, _, _) => { });
        for (int shard = 0; shard < shards; shard++)
        {
            int k = shard;
            var inputs = transfers.Where(t => t.ToShard == k).ToDictionary(t => t.Node, _ => new float[root.Length]);
            var outgoing = transfers.Where(t => t.FromShard == k).ToDictionary(t => t.Node);
            assemblies[k] = new TreeAssembly(1, groups, root.Length, node => TreeRoutes.Owns(k, node, bounds), inputs, outgoing.Keys,
                (node, segment, buffer) =>
                {
                    var (offset, count) = Segments.Range(segment, buffer.Length);
                    inFlight.Add((outgoing[node].ToShard, node, segment, buffer.AsSpan((int)offset, count).ToArray()));
                });
        }
        foreach (int k in Enumerable.Range(0, shards).OrderBy(_ => random.Next()))
        {
            var copies = leaves.Select(l => (float[])l.Clone()).ToArray();
            var cover = ReductionTree.Cover(bounds[k], bounds[k + 1], groups);
            foreach (var node in cover) ReductionTree.SumInPlace(node, groups, copies, new LossSums[groups], 0);
            assemblies[k].AddLocal(cover.Select(node => (node, copies[node.FirstGroup])));
        }
        while (inFlight.Count > 0)
        {
            int pick = random.Next(inFlight.Count);
            var (to, node, segment, values) = inFlight[pick];
            inFlight.RemoveAt(pick);
            var target = to == TreeRoutes.Coordinator ? coordinator : assemblies[to];
            Assert.True(target.Claim(node, segment));
            values.CopyTo(target.BufferOf(node).AsSpan(segment * Segments.Floats));
            target.MarkReady(node, segment);
        }
        return root;
    }

    private static float[] WholeTree(float[][] leaves)
    {
        var copies = leaves.Select(l => (float[])l.Clone()).ToArray();
        var root = new TreeNode(ReductionTree.RootLevel(leaves.Length), 0);
        ReductionTree.SumInPlace(root, leaves.Length, copies, new LossSums[leaves.Length], 0);
        return copies[0];
    }

    /// <summary>Every way to cut <paramref name="groups"/> groups into at most <paramref name="maxShards"/> contiguous shards.</summary>
    private static IEnumerable<int[]> Splits(int groups, int maxShards)
    {
        for (int mask = 0; mask < 1 << (groups - 1); mask++)
        {
            var cuts = Enumerable.Range(1, groups - 1).Where(g => (mask & (1 << (g - 1))) != 0).ToList();
            if (cuts.Count < maxShards) yield return [0, .. cuts, groups];
        }
    }
}
