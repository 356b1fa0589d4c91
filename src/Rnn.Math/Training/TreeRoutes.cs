namespace Rnn.Math.Training;

/// <summary>
/// Where each partial sum travels when a minibatch's groups are split into contiguous shards held by different
/// workers, so that workers finish the reduction tree among themselves and the coordinator receives only the root.
/// Every node (L, i) is summed by the shard that holds its first group (its "owner"): a node's left child has the
/// same first group, so it is always at hand; the right child comes from its own owner when that is another shard.
/// The transfers are therefore exactly the right children whose parent is owned by another shard, plus the root to
/// the coordinator. An aligned power-of-two split sends one node per worker; any split sends each worker's
/// partial sums at most once per tree level, never more than the shard plan forces (a node can only be summed
/// once both halves are in one place, and each transfer here carries a whole half).
/// Who adds which pair never changes the bits: every node is always the same addition (see <see cref="ReductionTree"/>).
/// </summary>
public static class TreeRoutes
{
    /// <summary>The destination of the root: not a shard but the coordinator.</summary>
    public const int Coordinator = -1;

    /// <summary>A partial sum sent from the owner of <see cref="Node"/> to shard <see cref="ToShard"/> (or the coordinator).</summary>
    public readonly record struct Transfer(TreeNode Node, int FromShard, int ToShard);

    /// <summary>
    /// The shard holding <paramref name="group"/>; shard k holds the groups [bounds[k], bounds[k + 1]), and
    /// <paramref name="bounds"/> runs from 0 to the group count.
    /// </summary>
    public static int ShardOf(int group, IReadOnlyList<int> bounds)
    {
        int low = 0, high = bounds.Count - 2;
        while (low < high)
        {
            int middle = (low + high + 1) / 2;
            if (bounds[middle] <= group) low = middle;
            else high = middle - 1;
        }
        return low;
    }

    /// <summary>Every transfer of a round, leaves first (lower levels before higher).</summary>
    public static IReadOnlyList<Transfer> Plan(IReadOnlyList<int> bounds)
    {
        CheckBounds(bounds);
        int groupCount = bounds[^1];
        int rootLevel = ReductionTree.RootLevel(groupCount);
        var transfers = new List<Transfer>();
        for (int level = 0; level < rootLevel; level++)
        {
            for (int index = 1; (index << level) < groupCount; index += 2)
            {
                var node = new TreeNode(level, index);
                int owner = ShardOf(node.FirstGroup, bounds), parentOwner = ShardOf(node.Parent.FirstGroup, bounds);
                if (owner != parentOwner) transfers.Add(new Transfer(node, owner, parentOwner));
            }
        }
        transfers.Add(new Transfer(new TreeNode(rootLevel, 0), 0, Coordinator));
        return transfers;
    }

    /// <summary>Whether shard <paramref name="shard"/> sums <paramref name="node"/>: it holds the node's first group.</summary>
    public static bool Owns(int shard, TreeNode node, IReadOnlyList<int> bounds)
        => node.FirstGroup < bounds[^1] && ShardOf(node.FirstGroup, bounds) == shard;

    private static void CheckBounds(IReadOnlyList<int> bounds)
    {
        if (bounds.Count < 2 || bounds[0] != 0)
            throw new ArgumentException("shard bounds run from group 0 to the group count", nameof(bounds));
        for (int k = 1; k < bounds.Count; k++)
            if (bounds[k] <= bounds[k - 1])
                throw new ArgumentException($"shard {k - 1} is empty or reversed: [{bounds[k - 1]}, {bounds[k]})", nameof(bounds));
    }
}
