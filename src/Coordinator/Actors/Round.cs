using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// One round in flight: which worker holds which shard request, the gradient chunks received so far, and the
/// reduction tree being finished. This is where a worker's reply is accepted: it counts only from the worker
/// that holds the request, once; a reply from any other worker (a duplicate, one whose shard was given to
/// another) is ignored; a reply from the holder that does not fit its request (a tree node outside its shard,
/// a chunk outside the parameters or over one already received, a node closed before all its values came, a
/// reply of the other kind of round) is refused with the reason, and the holder loses its request, which is
/// given to another worker. A reply is a worker's chunks then one closing message, in order; once one of its
/// chunks is refused the rest of it is dropped up to that closing, so that none of it is taken for a reply to
/// the request the worker may be given next. A validation round carries loss sums only.
/// </summary>
internal sealed class Round
{
    private readonly int _parameterCount;
    private readonly int _groupCount;
    private readonly TreeAccumulator _tree;
    private readonly Dictionary<IActorRef, Holding> _assigned = new();
    private readonly Queue<IRoundMessage> _unassigned = new();
    private readonly Dictionary<IActorRef, (int Samples, double ComputeMs)> _contributors = new();
    private readonly HashSet<IActorRef> _refused = new();
    private readonly HashSet<IActorRef> _discarding = new();
    private readonly long _started = Stopwatch.GetTimestamp();

    /// <summary>A worker's request, the tree nodes its reply must close, and the chunks of each node received so far.</summary>
    private sealed class Holding(IRoundMessage request, IReadOnlyList<TreeNode> nodes)
    {
        public IRoundMessage Request { get; } = request;

        public IReadOnlyList<TreeNode> Nodes { get; } = nodes;

        public Dictionary<TreeNode, (float[] Values, List<(int Offset, int Count)> Pieces)> Received { get; } = new();
    }

    private Round(long id, int groupCount, int parameterCount)
    {
        Id = id;
        _groupCount = groupCount;
        _parameterCount = parameterCount;
        _tree = new TreeAccumulator(groupCount);
    }

    /// <summary>A training round: every reply brings gradients of <paramref name="parameterCount"/> floats.</summary>
    public static Round Training(long id, int groupCount, int parameterCount) => new(id, groupCount, parameterCount);

    public static Round Validation(long id, int groupCount) => new(id, groupCount, 0);

    public long Id { get; }

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

    public bool HasUnassigned => _unassigned.Count > 0;

    public bool Holds(IActorRef worker) => _assigned.ContainsKey(worker);

    /// <summary>
    /// Whether <paramref name="worker"/> may take a waiting request: it holds none, and it sent nothing this round
    /// that was refused, unless every ready worker did (one worker alone must be given its shard back).
    /// </summary>
    public bool MayTake(IActorRef worker, IReadOnlyCollection<IActorRef> ready)
        => !Holds(worker) && (!_refused.Contains(worker) || ready.All(_refused.Contains));

    /// <summary>Whether a reply of <paramref name="worker"/> was refused in this round.</summary>
    public bool Refused(IActorRef worker) => _refused.Contains(worker);

    public void Assign(IActorRef worker, IRoundMessage request)
    {
        var (first, end) = request switch
        {
            ComputeGradients r => (r.FirstGroup, r.EndGroup),
            ComputeValidationLoss r => (r.FirstGroup, r.EndGroup),
            _ => throw new ArgumentException($"{request.GetType().Name} is not a shard request", nameof(request)),
        };
        _assigned[worker] = new Holding(request, ReductionTree.Cover(first, end, _groupCount));
    }

    /// <summary>Queues a request no worker holds, to go to the next worker that can take it.</summary>
    public void Defer(IRoundMessage request) => _unassigned.Enqueue(request);

    public IRoundMessage TakeUnassigned() => _unassigned.Dequeue();

    /// <summary>Takes back the request of a worker that is gone, with whatever it had sent of it; null when it held none.</summary>
    public IRoundMessage? Release(IActorRef worker) => _assigned.Remove(worker, out var holding) ? holding.Request : null;

    /// <summary>
    /// Takes back the request of a worker whose message was refused; it gets no other this round while another
    /// worker can. When the message was a chunk of the reply to a request it held (<paramref name="chunk"/>), the
    /// rest of that reply is dropped (<see cref="Discards"/>).
    /// </summary>
    public IRoundMessage? Refuse(IActorRef worker, bool chunk)
    {
        _refused.Add(worker);
        var request = Release(worker);
        if (chunk && request is not null) _discarding.Add(worker);
        return request;
    }

    /// <summary>Whether a message of the worker belongs to a reply whose chunk was refused (<paramref name="closing"/>: its last message).</summary>
    public bool Discards(IActorRef worker, bool closing) => closing ? _discarding.Remove(worker) : _discarding.Contains(worker);

    /// <summary>Places a chunk of the holder's gradient; null when taken or ignored (not the holder's), else why it is refused.</summary>
    public string? AddChunk(IActorRef worker, GradientChunk chunk)
    {
        if (!_assigned.TryGetValue(worker, out var holding)) return null;
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
    /// Takes a worker's closing reply (<paramref name="withGradients"/> for a training reply): Counted when it
    /// closed the worker's request; Refusal when it is the holder's but does not fit; neither when it is not the
    /// reply of a request this worker holds.
    /// </summary>
    public (bool Counted, string? Refusal) Complete(IActorRef worker, PartialSum[] partials, double computeMs, bool withGradients)
    {
        if (!_assigned.TryGetValue(worker, out var holding)) return (false, null);
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

        _assigned.Remove(worker);
        foreach (var p in partials)
        {
            var node = new TreeNode(p.Level, p.Index);
            if (!_tree.Add(node, IsValidation ? [] : holding.Received[node].Values, p.Loss))
                throw new InvalidOperationException($"round {Id}: node ({p.Level}, {p.Index}) overlaps groups already summed");
        }
        SlowestComputeMs = System.Math.Max(SlowestComputeMs, computeMs);
        var (samples, ms) = _contributors.GetValueOrDefault(worker);
        _contributors[worker] = (samples + (holding.Request is ComputeGradients shard ? shard.SampleIds.Length : 0), ms + computeMs);
        return (true, null);
    }

    /// <summary>Values of the node not received yet: chunks never overlap, so what is missing is what their lengths leave.</summary>
    private long Missing(Holding holding, TreeNode node)
        => _parameterCount - (holding.Received.TryGetValue(node, out var received) ? received.Pieces.Sum(p => (long)p.Count) : 0);

    private static string Names(IEnumerable<TreeNode> nodes) => string.Join(", ", nodes.Select(n => $"({n.Level}, {n.Index})"));
}
