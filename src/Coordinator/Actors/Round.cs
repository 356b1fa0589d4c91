using System.Diagnostics;
using System.Globalization;
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
/// who won. A reply counts only from a worker holding a shard, once. A reply from a holder that does not fit its
/// shard (a tree node outside it, a chunk outside the parameters or over one already received, a node closed
/// before all its values came, a reply of the other kind of round) is refused with the reason, and the holder
/// loses its shard. A reply is a worker's chunks then one closing message, in order; once one of its chunks is
/// refused the rest of it is dropped up to that closing, so that none of it is taken for a reply to the shard
/// the worker may be given next. A validation round carries loss sums only.
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
    private readonly Dictionary<IActorRef, Holding> _held = new();
    private readonly HashSet<IActorRef> _refused = new();
    private readonly HashSet<IActorRef> _discarding = new();
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

    /// <summary>A worker's shard, the tree nodes its reply must close, and the chunks of each node received so far.</summary>
    private sealed class Holding(Shard shard, IReadOnlyList<TreeNode> nodes)
    {
        public Shard Shard { get; } = shard;

        public IReadOnlyList<TreeNode> Nodes { get; } = nodes;

        public Dictionary<TreeNode, (float[] Values, List<(int Offset, int Count)> Pieces)> Received { get; } = new();
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
    public (int First, int End)? HeldBy(IActorRef worker) => _held.TryGetValue(worker, out var holding) ? (holding.Shard.First, holding.Shard.End) : null;

    /// <summary>
    /// Whether <paramref name="worker"/> may take a shard: it holds none, and it sent nothing this round that was
    /// refused, unless every one of <paramref name="ready"/> did (one worker alone must be given its shard back).
    /// </summary>
    public bool MayTake(IActorRef worker, IReadOnlyCollection<IActorRef> ready)
        => !Holds(worker) && (!_refused.Contains(worker) || ready.All(_refused.Contains));

    /// <summary>
    /// Takes back the shard of a worker whose message was refused; it gets no other this round while another
    /// worker can. When the message was a chunk of the reply to a shard it held (<paramref name="chunk"/>), the
    /// rest of that reply is dropped (<see cref="Discards"/>).
    /// </summary>
    public (int First, int End)? Refuse(IActorRef worker, bool chunk)
    {
        _refused.Add(worker);
        var shard = Release(worker);
        if (chunk && shard is not null) _discarding.Add(worker);
        return shard;
    }

    /// <summary>Whether a message of the worker belongs to a reply whose chunk was refused (<paramref name="closing"/>: its last message).</summary>
    public bool Discards(IActorRef worker, bool closing) => closing ? _discarding.Remove(worker) : _discarding.Contains(worker);

    /// <summary>Gives <paramref name="worker"/>, which holds nothing in this round, the groups [first, end); returns the request to send it.</summary>
    public IProtocolMessage Issue(IActorRef worker, int first, int end)
    {
        if (_held.ContainsKey(worker)) throw new InvalidOperationException($"round {Id}: {worker.Path} already computes a shard");
        var shard = _shards.FirstOrDefault(s => s.First == first && s.End == end) ?? Add(new Shard(first, end));
        shard.Holders[worker] = Stopwatch.GetTimestamp();
        _held[worker] = new Holding(shard, ReductionTree.Cover(first, end, _groupCount));
        var request = _request(first, end);
        shard.Samples = request is ComputeGradients gradients ? gradients.SampleIds.Length : 0;
        return request;
    }

    /// <summary>Takes back the shard of a worker that is gone (or whose answers cannot be trusted), with whatever it had sent of it.</summary>
    public (int First, int End)? Release(IActorRef worker)
    {
        if (!_held.Remove(worker, out var holding)) return null;
        Drop(worker, holding.Shard);
        return (holding.Shard.First, holding.Shard.End);
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

    /// <summary>
    /// Places a chunk of the holder's gradient; null when taken or ignored (not a holder's, or of groups another
    /// answer covered already), else why it is refused.
    /// </summary>
    public string? AddChunk(IActorRef worker, GradientChunk chunk)
    {
        if (!_held.TryGetValue(worker, out var holding) || !IsUnsummed(holding.Shard)) return null;
        if (IsValidation) return "a gradient chunk in a validation round";
        var node = new TreeNode(chunk.Level, chunk.Index);
        if (!holding.Nodes.Contains(node)) return $"tree node ({chunk.Level}, {chunk.Index}), not one of its shard's: {Names(holding.Nodes)}";
        long end = (long)chunk.Offset + chunk.Values.Length;
        if (chunk.Offset < 0 || chunk.Values.Length == 0 || end > _parameterCount)
            return string.Create(CultureInfo.InvariantCulture, $"{chunk.Values.Length} values at offset {chunk.Offset}, outside the {_parameterCount} parameters");
        if (!holding.Received.TryGetValue(node, out var received))
            holding.Received[node] = received = (new float[_parameterCount], new List<(int, int)>());
        if (received.Pieces.Any(p => chunk.Offset < p.Offset + p.Count && p.Offset < end))
            return string.Create(CultureInfo.InvariantCulture, $"{chunk.Values.Length} values at offset {chunk.Offset} of node ({chunk.Level}, {chunk.Index}), over values already received");
        chunk.Values.CopyTo(received.Values.AsSpan(chunk.Offset));
        received.Pieces.Add((chunk.Offset, chunk.Values.Length));
        return null;
    }

    /// <summary>
    /// Takes a worker's closing reply (<paramref name="withGradients"/> for a training reply): Counted when its
    /// sums went into the tree, the worker holding a shard whose groups no other answer has covered yet; Refusal
    /// when it is such a holder's but does not fit; neither when it is dropped (a duplicate, a shard taken back,
    /// or overtaken by another answer).
    /// </summary>
    public (bool Counted, string? Refusal) Complete(IActorRef worker, PartialSum[] partials, double computeMs, bool withGradients)
    {
        if (!_held.TryGetValue(worker, out var holding)) return (false, null);
        var shard = holding.Shard;
        if (!IsUnsummed(shard))
        {
            _held.Remove(worker);
            Drop(worker, shard);
            return (false, null);
        }
        if (withGradients == IsValidation)
            return (false, withGradients ? "gradients closing a validation shard" : "validation losses closing a training shard");
        var nodes = partials.Select(p => new TreeNode(p.Level, p.Index)).ToList();
        if (nodes.Count != holding.Nodes.Count || !nodes.ToHashSet().SetEquals(holding.Nodes))
            return (false, $"it closed the tree nodes {Names(nodes)}, its shard's are {Names(holding.Nodes)}");
        if (!double.IsFinite(computeMs) || computeMs < 0)
            return (false, string.Create(CultureInfo.InvariantCulture, $"a compute time of {computeMs} ms"));
        foreach (var node in IsValidation ? [] : holding.Nodes)
        {
            if (Missing(holding, node) is > 0 and var missing)
                return (false, string.Create(CultureInfo.InvariantCulture, $"it closed tree node ({node.Level}, {node.Index}) with {missing} of its {_parameterCount} values not sent"));
        }

        _held.Remove(worker);
        Drop(worker, shard);
        foreach (var p in partials)
        {
            var node = new TreeNode(p.Level, p.Index);
            if (!_tree.Add(node, IsValidation ? [] : holding.Received[node].Values, p.Loss))
                throw new InvalidOperationException($"round {Id}: node ({p.Level}, {p.Index}) overlaps groups already summed");
        }
        for (int g = shard.First; g < shard.End; g++) _summed[g] = true;
        SlowestComputeMs = System.Math.Max(SlowestComputeMs, computeMs);
        var (samples, ms) = _contributors.GetValueOrDefault(worker);
        _contributors[worker] = (samples + shard.Samples, ms + computeMs);
        return (true, null);
    }

    /// <summary>The worker no longer holds <paramref name="shard"/>; a shard no one holds is forgotten.</summary>
    private void Drop(IActorRef worker, Shard shard)
    {
        shard.Holders.Remove(worker);
        if (shard.Holders.Count == 0) _shards.Remove(shard);
    }

    /// <summary>Values of the node not received yet: chunks never overlap, so what is missing is what their lengths leave.</summary>
    private long Missing(Holding holding, TreeNode node)
        => _parameterCount - (holding.Received.TryGetValue(node, out var received) ? received.Pieces.Sum(p => (long)p.Count) : 0);

    private static string Names(IEnumerable<TreeNode> nodes) => string.Join(", ", nodes.Select(n => $"({n.Level}, {n.Index})"));

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
}
