namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// How fast one worker has been over its last few training shards: what shards are sized by and what tells a
/// straggler from a worker that is merely busy. Two measures, because they answer two questions: its compute
/// speed (samples over the compute time it reports) sizes its share of a round, so that all workers finish
/// computing together; the time from sending a request to its answer, per sample, as the coordinator saw it
/// (transfers and queues included), says when a shard is overdue. Sizing by the round trip would feed back:
/// the fixed cost of a transfer makes a small shard look slow per sample, which would shrink it further.
/// </summary>
internal sealed class WorkerPace
{
    /// <summary>Enough shards to smooth out a garbage collection or a busy neighbour, few enough to follow a real change of speed.</summary>
    public const int Window = 8;

    private readonly Queue<(int Samples, double ComputeMs, double RoundTripMs)> _recent = new();

    /// <summary>Rounds in a row in which its measured speed earned it no share (see <see cref="Passed"/>).</summary>
    private int _passedOver;

    public bool IsKnown => _recent.Count > 0;

    /// <summary>
    /// The median, over the window, of a shard's samples per second of compute; null before the first shard. The
    /// median, not the mean: a shard of a small model computes in a millisecond, and one preemption of the
    /// worker's thread would make it look ten times slower.
    /// </summary>
    public double? SamplesPerSecond => _recent.Count == 0 ? null : Median(_recent.Select(r => r.Samples * 1000.0 / System.Math.Max(r.ComputeMs, 0.01)));

    /// <summary>The median, over the window, of a shard's time from request to answer per sample; null before the first shard.</summary>
    public double? RoundTripMsPerSample => _recent.Count == 0 ? null : Median(_recent.Select(r => r.RoundTripMs / r.Samples));

    public void Record(int samples, double computeMs, double roundTripMs)
    {
        if (samples < 1) return;
        _passedOver = 0;
        _recent.Enqueue((samples, computeMs, roundTripMs));
        if (_recent.Count > Window) _recent.Dequeue();
    }

    /// <summary>
    /// The planner gave the worker an empty shard: it is too slow, as measured, for a single group. Only a shard
    /// measures a worker, and a first shard, which compiles the code and fills the caches, can make it look so
    /// (1.8 s for a shard the others did in 0.1 s, once, in the failover tests; the worker then had no share for
    /// the rest of the run). So after <see cref="Window"/> such rounds in a row its measures are forgotten and it
    /// counts as typical again: its next shard tells whether it is still slow (a busy neighbour gone, say),
    /// at the price of one round in <see cref="Window"/> that may wait for a straggler until its shard is late.
    /// </summary>
    public void Passed()
    {
        if (++_passedOver < Window) return;
        _passedOver = 0;
        _recent.Clear();
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
