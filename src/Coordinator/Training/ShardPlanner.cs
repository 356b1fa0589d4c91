namespace RnnCluster.Coordinator.Training;

/// <summary>
/// Splits a round's groups into contiguous shards, one per worker, as even as whole groups allow. The split only
/// decides who computes what: the reduction tree makes the result the same for any split.
/// </summary>
public static class ShardPlanner
{
    /// <summary>The shards [First, End) of <paramref name="groupCount"/> groups over at most <paramref name="workers"/> workers; none is empty.</summary>
    public static IReadOnlyList<(int First, int End)> Plan(int groupCount, int workers)
    {
        if (groupCount < 1 || workers < 1)
            throw new ArgumentOutOfRangeException(nameof(workers), $"cannot split {groupCount} groups over {workers} workers");
        int shards = System.Math.Min(groupCount, workers);
        return Enumerable.Range(0, shards)
            .Select(s => (groupCount * s / shards, groupCount * (s + 1) / shards))
            .ToArray();
    }
}
