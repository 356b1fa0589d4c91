using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Rnn.Math.Losses;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// One round in flight: which worker computes which shard (a contiguous run of groups), the loss sums of the tree
/// nodes received so far (finished along the reduction tree here), and, for a training round, whether the
/// gradient's root has arrived on the data plane (the workers sum the gradient tree among themselves; see
/// <see cref="RootInbox"/>).
/// In a validation round, which carries loss sums only, a shard may have several holders at once (it was
/// re-issued while its first holder was unreachable or late), and shards may overlap (a late shard is re-issued
/// in pieces, to several idle workers): the first answer that covers only groups not summed yet is taken, and any
/// later answer for those groups is dropped, so no group is ever counted twice and the bits do not depend on who
/// won. A training round's shards are one partition of its groups, fixed when it starts, since each shard's
/// partial sums travel to the holder of the shard that sums their parent; a training round that loses a holder is
/// started again instead (see <see cref="CoordinatorActor"/>).
/// A reply counts only from a worker holding a shard, once. A reply from a holder that does not fit its shard (a
/// tree node outside it, a compute time that is no time, a reply of the other kind of round) is refused with the
/// reason, and the holder loses its shard.
/// This class decides nothing about who gets work (<see cref="CoordinatorActor"/> does); it keeps the facts.
/// </summary>
internal sealed class Round
{
    private readonly int _groupCount;
    private readonly float[]? _gradient;
    private readonly Func<int, int, IProtocolMessage> _request;
    private readonly TreeAccumulator _losses;
    private readonly bool[] _summed;
    private readonly List<Shard> _shards = new();
    private readonly Dictionary<IActorRef, Holding> _held = new();
    private readonly HashSet<IActorRef> _refused;
    private readonly Dictionary<IActorRef, (int Samples, double ComputeMs)> _contributors = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly int _stateWidth;
    private readonly List<(int First, int End, float[] States)> _states = new();
    private bool _rootArrived;

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

    /// <summary>A worker's shard and the tree nodes its reply must close.</summary>
    private sealed record Holding(Shard Shard, IReadOnlyList<TreeNode> Nodes);

    private Round(long id, int groupCount, float[]? gradient, Func<int, int, IProtocolMessage> request, IEnumerable<IActorRef> refused, int stateWidth)
    {
        Id = id;
        _stateWidth = stateWidth;
        _groupCount = groupCount;
        _gradient = gradient;
        _request = request;
        _losses = new TreeAccumulator(groupCount);
        _summed = new bool[groupCount];
        _refused = refused.ToHashSet();
    }

    /// <summary>
    /// A training round of <paramref name="groupCount"/> groups, whose summed gradient arrives in
    /// <paramref name="gradient"/>; <paramref name="request"/> makes the message asking for groups [first, end).
    /// Workers in <paramref name="refused"/> sent something refused in the round this one starts again. A stateful
    /// job's answers carry <paramref name="stateWidth"/> floats of state per sample (<see cref="States"/>).
    /// </summary>
    public static Round Training(long id, int groupCount, float[] gradient, Func<int, int, IProtocolMessage> request, IEnumerable<IActorRef> refused,
        int stateWidth = 0)
        => new(id, groupCount, gradient, request, refused, stateWidth);

    public static Round Validation(long id, int groupCount, Func<int, int, IProtocolMessage> request) => new(id, groupCount, null, request, [], 0);

    public long Id { get; }

    public int GroupCount => _groupCount;

    public bool IsValidation => _gradient is null;

    public double SlowestComputeMs { get; private set; }

    public double ElapsedMs => Stopwatch.GetElapsedTime(_started).TotalMilliseconds;

    public bool IsComplete => _losses.IsComplete && (IsValidation || _rootArrived);

    /// <summary>A training round whose holders have all answered, waiting for the root of the sums they passed on.</summary>
    public bool AwaitsOnlyRoot => !IsValidation && _losses.IsComplete && !_rootArrived;

    /// <summary>Whether any shard was issued yet: a training round's partition is made once.</summary>
    public bool HasIssued { get; private set; }

    /// <summary>The workers whose replies were counted, each once however many shards it computed.</summary>
    public IReadOnlyCollection<IActorRef> Contributors => _contributors.Keys;

    /// <summary>The workers that sent something refused in this round.</summary>
    public IReadOnlyCollection<IActorRef> Refused => _refused;

    /// <summary>What each contributor did: the samples of its shards (none in a validation round) and its compute time.</summary>
    public IReadOnlyList<WorkerShare> Shares =>
        _contributors.Select(c => new WorkerShare(c.Key.Path.ToString(), c.Value.Samples, c.Value.ComputeMs)).ToList();

    /// <summary>A stateful training round's counted answers: the states the samples of groups [First, End) ended with, in minibatch order.</summary>
    public IReadOnlyList<(int First, int End, float[] States)> States => _states;

    /// <summary>The sum of every group's gradient (empty for validation), loss and metrics.</summary>
    public (float[] Gradient, LossSums Sums) Root => (_gradient ?? [], _losses.Root.Sums);

    public bool Holds(IActorRef worker) => _held.ContainsKey(worker);

    /// <summary>The shard <paramref name="worker"/> computes now, if any.</summary>
    public (int First, int End)? HeldBy(IActorRef worker) => _held.TryGetValue(worker, out var holding) ? (holding.Shard.First, holding.Shard.End) : null;

    /// <summary>
    /// Whether <paramref name="worker"/> may take a shard: it holds none, and it sent nothing this round that was
    /// refused, unless every one of <paramref name="ready"/> did (one worker alone must be given its shard back).
    /// </summary>
    public bool MayTake(IActorRef worker, IReadOnlyCollection<IActorRef> ready)
        => !Holds(worker) && (!_refused.Contains(worker) || ready.All(_refused.Contains));

    /// <summary>Takes back the shard of a worker whose message was refused; it gets no other this round while another worker can.</summary>
    public (int First, int End)? Refuse(IActorRef worker)
    {
        _refused.Add(worker);
        return Release(worker);
    }

    /// <summary>The gradient's root is in its buffer.</summary>
    public void RootArrived() => _rootArrived = true;

    /// <summary>Gives <paramref name="worker"/>, which holds nothing in this round, the groups [first, end); returns the request to send it.</summary>
    public IProtocolMessage Issue(IActorRef worker, int first, int end)
    {
        if (_held.ContainsKey(worker)) throw new InvalidOperationException($"round {Id}: {worker.Path} already computes a shard");
        var shard = _shards.FirstOrDefault(s => s.First == first && s.End == end) ?? Add(new Shard(first, end));
        shard.Holders[worker] = Stopwatch.GetTimestamp();
        HasIssued = true;
        _held[worker] = new Holding(shard, ReductionTree.Cover(first, end, _groupCount));
        var request = _request(first, end);
        shard.Samples = request is ComputeGradients gradients ? gradients.SampleIds.Length : 0;
        return request;
    }

    /// <summary>Takes back the shard of a worker that is gone (or whose answers cannot be trusted).</summary>
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
    /// Takes a worker's closing reply (<paramref name="withGradients"/> for a training reply): Counted when its
    /// sums went into the tree, the worker holding a shard whose groups no other answer has covered yet; Refusal
    /// when it is such a holder's but does not fit; neither when it is dropped (a duplicate, a shard taken back,
    /// or overtaken by another answer). A stateful training reply carries the states its samples ended with.
    /// </summary>
    public (bool Counted, string? Refusal) Complete(IActorRef worker, PartialSum[] partials, double computeMs, bool withGradients, float[]? states = null)
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
        long expected = (long)shard.Samples * _stateWidth;
        if (!IsValidation && (states?.Length ?? 0) != expected)
            return (false, $"states of {states?.Length ?? 0} floats, its shard's {shard.Samples} samples have {expected}");

        _held.Remove(worker);
        Drop(worker, shard);
        foreach (var p in partials)
            if (!_losses.Add(new TreeNode(p.Level, p.Index), [], p.Sums))
                throw new InvalidOperationException($"round {Id}: node ({p.Level}, {p.Index}) overlaps groups already summed");
        for (int g = shard.First; g < shard.End; g++) _summed[g] = true;
        if (expected > 0) _states.Add((shard.First, shard.End, states!));
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
