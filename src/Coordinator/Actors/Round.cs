using System.Diagnostics;
using Akka.Actor;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// One round in flight: which worker computes which shard (a contiguous run of groups), the gradient chunks
/// received so far, and the reduction tree being finished. A shard may have several holders at once (it was
/// re-issued while its first holder was unreachable or late), and shards may overlap (a late shard is re-issued
/// in pieces, to several idle workers): the first answer that covers only groups not summed yet is taken, and
/// any later answer for those groups is dropped, so no group is ever counted twice and the bits do not depend on
/// who won. A reply counts only from a worker holding a shard, once. A validation round carries loss sums only.
/// This class decides nothing about who gets work (<see cref="CoordinatorActor"/> does); it keeps the facts.
/// </summary>
internal sealed class Round
{
    private readonly int _parameterCount;
    private readonly int _groupCount;
    private readonly Func<int, int, IProtocolMessage> _request;
    private readonly TreeAccumulator _tree;
    private readonly bool[] _summed;
    private readonly List<Shard> _shards = new();
    private readonly Dictionary<IActorRef, Shard> _held = new();
    private readonly Dictionary<(IActorRef, int, int), float[]> _chunks = new();
    private readonly Dictionary<IActorRef, (int Samples, double ComputeMs)> _contributors = new();
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>The groups [First, End) asked of its holders, each with the time its request was sent to it.</summary>
    private sealed class Shard(int first, int end)
    {
        public int First { get; } = first;

        public int End { get; } = end;

        public Dictionary<IActorRef, long> Holders { get; } = new();

        /// <summary>Given to idle workers already because it was late: once is enough.</summary>
        public bool Copied { get; set; }

        /// <summary>The training samples its request asks for (none in a validation round).</summary>
        public int Samples { get; set; }
    }

    private Round(long id, int groupCount, int parameterCount, Func<int, int, IProtocolMessage> request)
    {
        Id = id;
        _groupCount = groupCount;
        _parameterCount = parameterCount;
        _request = request;
        _tree = new TreeAccumulator(groupCount);
        _summed = new bool[groupCount];
    }

    /// <summary>
    /// A training round of <paramref name="groupCount"/> groups: every reply brings gradients of
    /// <paramref name="parameterCount"/> floats; <paramref name="request"/> makes the message asking for groups [first, end).
    /// </summary>
    public static Round Training(long id, int groupCount, int parameterCount, Func<int, int, IProtocolMessage> request)
        => new(id, groupCount, parameterCount, request);

    public static Round Validation(long id, int groupCount, Func<int, int, IProtocolMessage> request) => new(id, groupCount, 0, request);

    public long Id { get; }

    public int GroupCount => _groupCount;

    public bool IsValidation => _parameterCount == 0;

    public double SlowestComputeMs { get; private set; }

    public double ElapsedMs => Stopwatch.GetElapsedTime(_started).TotalMilliseconds;

    public bool IsComplete => _tree.IsComplete;

    /// <summary>The workers whose replies were counted, each once however many shards it computed.</summary>
    public IReadOnlyCollection<IActorRef> Contributors => _contributors.Keys;

    /// <summary>What each contributor did: the samples of its shards (none in a validation round) and its compute time.</summary>
    public IReadOnlyList<WorkerShare> Shares =>
        _contributors.Select(c => new WorkerShare(c.Key.Path.ToString(), c.Value.Samples, c.Value.ComputeMs)).ToList();

    /// <summary>The sum of every group's gradient and loss.</summary>
    public (float[] Gradient, double Loss) Root => _tree.Root;

    public bool Holds(IActorRef worker) => _held.ContainsKey(worker);

    /// <summary>The shard <paramref name="worker"/> computes now, if any.</summary>
    public (int First, int End)? HeldBy(IActorRef worker) => _held.TryGetValue(worker, out var shard) ? (shard.First, shard.End) : null;

    /// <summary>Gives <paramref name="worker"/>, which holds nothing in this round, the groups [first, end); returns the request to send it.</summary>
    public IProtocolMessage Issue(IActorRef worker, int first, int end)
    {
        if (_held.ContainsKey(worker)) throw new InvalidOperationException($"round {Id}: {worker.Path} already computes a shard");
        var shard = _shards.FirstOrDefault(s => s.First == first && s.End == end) ?? Add(new Shard(first, end));
        shard.Holders[worker] = Stopwatch.GetTimestamp();
        _held[worker] = shard;
        var request = _request(first, end);
        shard.Samples = request is ComputeGradients gradients ? gradients.SampleIds.Length : 0;
        return request;
    }

    /// <summary>Takes back the shard of a worker that is gone (or whose answers cannot be trusted), with whatever it had sent of it.</summary>
    public (int First, int End)? Release(IActorRef worker)
    {
        DropChunks(worker);
        if (!_held.Remove(worker, out var shard)) return null;
        shard.Holders.Remove(worker);
        if (shard.Holders.Count == 0) _shards.Remove(shard);
        return (shard.First, shard.End);
    }

    /// <summary>
    /// The runs of groups that no one is computing: not summed yet and in no shard that could still count and
    /// has a holder that <paramref name="isReachable"/>. At the start of a round, all of it; later, the shards of
    /// lost or unreachable workers. An unreachable holder keeps its shard: if it comes back and answers first,
    /// its answer counts.
    /// </summary>
    public IReadOnlyList<(int First, int End)> Gaps(Func<IActorRef, bool> isReachable)
    {
        var covered = (bool[])_summed.Clone();
        foreach (var shard in _shards.Where(s => IsUnsummed(s) && s.Holders.Keys.Any(isReachable)))
            for (int g = shard.First; g < shard.End; g++) covered[g] = true;
        var gaps = new List<(int, int)>();
        for (int g = 0; g < _groupCount; g++)
        {
            if (covered[g]) continue;
            int first = g;
            while (g < _groupCount && !covered[g]) g++;
            gaps.Add((first, g));
        }
        return gaps;
    }

    /// <summary>
    /// Shards still worth waiting for and not yet re-issued for lateness, one entry per holder that
    /// <paramref name="isReachable"/>, with how long it has had it.
    /// </summary>
    public IEnumerable<(int First, int End, IActorRef Holder, TimeSpan Waited)> Waiting(Func<IActorRef, bool> isReachable)
        => _shards.Where(s => !s.Copied && IsUnsummed(s))
            .SelectMany(s => s.Holders.Where(h => isReachable(h.Key)).Select(h => (s.First, s.End, h.Key, Stopwatch.GetElapsedTime(h.Value))));

    /// <summary>Records that the shard [first, end) was re-issued for lateness, so it is not re-issued again.</summary>
    public void MarkCopied(int first, int end)
    {
        foreach (var shard in _shards.Where(s => s.First == first && s.End == end)) shard.Copied = true;
    }

    public void AddChunk(IActorRef worker, GradientChunk chunk)
    {
        if (!_held.TryGetValue(worker, out var shard) || !IsUnsummed(shard)) return;
        if (!_chunks.TryGetValue((worker, chunk.Level, chunk.Index), out var gradient))
            _chunks[(worker, chunk.Level, chunk.Index)] = gradient = new float[_parameterCount];
        chunk.Values.CopyTo(gradient.AsSpan(chunk.Offset));
    }

    /// <summary>
    /// Takes a worker's closing reply: its sums go into the tree when it holds a shard here whose groups no other
    /// answer has covered yet; otherwise (a duplicate, a shard taken back, or overtaken by another answer) it is dropped.
    /// </summary>
    public void Complete(IActorRef worker, PartialSum[] partials, double computeMs)
    {
        if (!_held.Remove(worker, out var shard)) return;
        shard.Holders.Remove(worker);
        if (shard.Holders.Count == 0) _shards.Remove(shard);
        if (!IsUnsummed(shard))
        {
            DropChunks(worker);
            return;
        }
        foreach (var p in partials)
        {
            float[] gradient = [];
            if (!IsValidation && !_chunks.Remove((worker, p.Level, p.Index), out gradient!))
                throw new InvalidOperationException($"round {Id}: node ({p.Level}, {p.Index}) closed without its gradient");
            if (!_tree.Add(new TreeNode(p.Level, p.Index), gradient, p.Loss))
                throw new InvalidOperationException($"round {Id}: node ({p.Level}, {p.Index}) overlaps groups already summed");
        }
        for (int g = shard.First; g < shard.End; g++) _summed[g] = true;
        SlowestComputeMs = System.Math.Max(SlowestComputeMs, computeMs);
        var (samples, ms) = _contributors.GetValueOrDefault(worker);
        _contributors[worker] = (samples + shard.Samples, ms + computeMs);
    }

    private Shard Add(Shard shard)
    {
        _shards.Add(shard);
        return shard;
    }

    private bool IsUnsummed(Shard shard)
    {
        for (int g = shard.First; g < shard.End; g++)
            if (_summed[g]) return false;
        return true;
    }

    private void DropChunks(IActorRef worker)
    {
        foreach (var key in _chunks.Keys.Where(k => k.Item1.Equals(worker)).ToList()) _chunks.Remove(key);
    }
}
