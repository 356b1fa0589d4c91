using System.Numerics.Tensors;
using Rnn.Math.Losses;

namespace Rnn.Math.Training;

/// <summary>
/// A node of the fixed binary tree over the gradient groups of one minibatch: level 0 nodes are the groups,
/// node (L, i) covers groups [i·2^L, min((i+1)·2^L, G)).
/// </summary>
public readonly record struct TreeNode(int Level, int Index)
{
    public int FirstGroup => Index << Level;

    public int EndGroup(int groupCount) => System.Math.Min((Index + 1) << Level, groupCount);

    public TreeNode Parent => new(Level + 1, Index >> 1);
}

/// <summary>
/// The fixed summation order of a minibatch's gradient (docs/determinism.md, "fixed tree"): node (L, i) is the sum of
/// its two children, or its left child alone when the right one lies past the last group. Whoever computes a
/// node, and from whatever pieces, gets the same bits, because every node is always the same additions.
/// </summary>
public static class ReductionTree
{
    /// <summary>The level of the root for <paramref name="groupCount"/> groups: ceil(log2 G).</summary>
    public static int RootLevel(int groupCount)
    {
        if (groupCount < 1) throw new ArgumentOutOfRangeException(nameof(groupCount));
        int level = 0;
        while ((1 << level) < groupCount) level++;
        return level;
    }

    /// <summary>
    /// The largest complete nodes that tile the groups [first, end), left to right: what a worker holding
    /// those groups returns. An aligned power-of-two range gives one node; any range gives O(log G) nodes.
    /// </summary>
    public static IReadOnlyList<TreeNode> Cover(int first, int end, int groupCount)
    {
        if (first < 0 || end > groupCount || first >= end)
            throw new ArgumentOutOfRangeException(nameof(first), $"groups [{first}, {end}) do not lie in [0, {groupCount})");
        var nodes = new List<TreeNode>();
        int rootLevel = RootLevel(groupCount);
        int position = first;
        while (position < end)
        {
            int level = 0;
            while (level < rootLevel
                   && (position & ((1 << (level + 1)) - 1)) == 0
                   && System.Math.Min(position + (1 << (level + 1)), groupCount) <= end)
                level++;
            var node = new TreeNode(level, position >> level);
            nodes.Add(node);
            position = node.EndGroup(groupCount);
        }
        return nodes;
    }

    /// <summary>
    /// Sums the leaves under <paramref name="node"/> in tree order, in place: <paramref name="leaves"/>[g - offset]
    /// holds group g's values, and on return the node's sum is in the buffer of its first group.
    /// </summary>
    public static void SumInPlace(TreeNode node, int groupCount, IReadOnlyList<float[]> leaves, Span<LossSums> losses, int offset)
    {
        if (node.Level == 0) return;
        var left = new TreeNode(node.Level - 1, node.Index * 2);
        var right = new TreeNode(node.Level - 1, node.Index * 2 + 1);
        SumInPlace(left, groupCount, leaves, losses, offset);
        if (right.FirstGroup >= groupCount) return;
        SumInPlace(right, groupCount, leaves, losses, offset);
        int l = left.FirstGroup - offset, r = right.FirstGroup - offset;
        TensorPrimitives.Add(leaves[l], leaves[r], leaves[l]);
        losses[l] += losses[r];
    }
}

/// <summary>
/// Finishes the tree on the coordinator: takes partial sums (node, gradient, sums) in any order, combines
/// siblings as soon as both are present, and yields the root. Duplicate nodes are refused so a round
/// can never count a shard twice.
/// </summary>
public sealed class TreeAccumulator
{
    private readonly int _groupCount;
    private readonly int _rootLevel;
    private readonly Dictionary<TreeNode, (float[] Gradient, LossSums Sums)> _pending = new();
    private readonly HashSet<int> _coveredGroups = new();

    public TreeAccumulator(int groupCount)
    {
        _groupCount = groupCount;
        _rootLevel = ReductionTree.RootLevel(groupCount);
    }

    public bool IsComplete => _pending.Count == 1 && _pending.ContainsKey(new TreeNode(_rootLevel, 0));

    /// <summary>Adds one partial sum; false if any of its groups was already added.</summary>
    public bool Add(TreeNode node, float[] gradient, LossSums sums)
    {
        int first = node.FirstGroup, end = node.EndGroup(_groupCount);
        if (node.Level > _rootLevel || first >= _groupCount) return false;
        for (int g = first; g < end; g++)
            if (_coveredGroups.Contains(g)) return false;
        for (int g = first; g < end; g++) _coveredGroups.Add(g);

        while (node.Level < _rootLevel)
        {
            bool isLeft = (node.Index & 1) == 0;
            var sibling = new TreeNode(node.Level, node.Index ^ 1);
            if (isLeft && sibling.FirstGroup >= _groupCount)
            {
                node = node.Parent;
                continue;
            }
            if (!_pending.Remove(sibling, out var other)) break;
            var (left, right) = isLeft ? ((gradient, sums), other) : (other, (gradient, sums));
            TensorPrimitives.Add(left.Item1, right.Item1, left.Item1);
            gradient = left.Item1;
            sums = left.Item2 + right.Item2;
            node = node.Parent;
        }
        _pending[node] = (gradient, sums);
        return true;
    }

    /// <summary>The finished sum of every group of the minibatch.</summary>
    public (float[] Gradient, LossSums Sums) Root
        => IsComplete ? _pending[new TreeNode(_rootLevel, 0)] : throw new InvalidOperationException("the reduction tree is not complete");
}
