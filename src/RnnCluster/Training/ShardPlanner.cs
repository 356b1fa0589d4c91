namespace RnnCluster.Coordinator.Training;

/// <summary>
/// Splits a run of groups into contiguous shards, one per worker, sized by each worker's speed, so that all of
/// them finish at about the same time and a round waits for no one. The split only decides who computes what:
/// the reduction tree makes the result the same bits for any split.
/// </summary>
internal static class ShardPlanner
{
    /// <summary>
    /// A boundary may move by up to this fraction of a worker's fair share so that it lands on a multiple of a
    /// power of two: an aligned shard returns one or two tree nodes, a ragged one up to 2·log2(groups), and
    /// every node is a whole gradient on the wire.
    /// </summary>
    private const int AlignmentSlack = 8;

    /// <summary>
    /// The groups [<paramref name="first"/>, <paramref name="end"/>) cut into one contiguous shard per entry of
    /// <paramref name="speeds"/>, in order, each about in proportion to its speed (samples per second, or any
    /// unit shared by all). A worker too slow for a single group gets an empty shard (First == End).
    /// </summary>
    public static IReadOnlyList<(int First, int End)> Plan(int first, int end, IReadOnlyList<double> speeds)
    {
        int groups = end - first;
        if (groups < 1 || speeds.Count < 1 || speeds.Any(s => !(s > 0) || double.IsInfinity(s)))
            throw new ArgumentOutOfRangeException(nameof(speeds), $"cannot split groups [{first}, {end}) over speeds [{string.Join(", ", speeds)}]");
        double total = speeds.Sum();
        int align = Alignment(groups / (double)(speeds.Count * AlignmentSlack));
        var shards = new (int, int)[speeds.Count];
        int start = first;
        double cumulative = 0;
        for (int s = 0; s < speeds.Count; s++)
        {
            cumulative += speeds[s];
            int boundary = s == speeds.Count - 1 ? end : Snap(first + groups * (cumulative / total), align, start, end);
            shards[s] = (start, boundary);
            start = boundary;
        }
        return shards;
    }

    /// <summary>The largest power of two not above <paramref name="slack"/>, at least 1.</summary>
    private static int Alignment(double slack)
    {
        int align = 1;
        while (align * 2 <= slack) align *= 2;
        return align;
    }

    private static int Snap(double boundary, int align, int lowest, int end)
        => System.Math.Clamp((int)System.Math.Round(boundary / align, MidpointRounding.AwayFromZero) * align, lowest, end);
}
