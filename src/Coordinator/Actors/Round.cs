using System.Diagnostics;
using Akka.Actor;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// One round in flight: which worker holds which shard request, the gradient chunks received so far, and the
/// reduction tree being finished. A reply counts only from the worker that holds the request, once; anything
/// else (a duplicate, a reply from a worker whose shard was given to another) is refused. A validation round
/// carries loss sums only.
/// </summary>
internal sealed class Round
{
    private readonly int _parameterCount;
    private readonly TreeAccumulator _tree;
    private readonly Dictionary<IActorRef, IProtocolMessage> _assigned = new();
    private readonly Queue<IProtocolMessage> _unassigned = new();
    private readonly Dictionary<(IActorRef, int, int), float[]> _chunks = new();
    private readonly Dictionary<IActorRef, (int Samples, double ComputeMs)> _contributors = new();
    private readonly long _started = Stopwatch.GetTimestamp();

    private Round(long id, int groupCount, int parameterCount)
    {
        Id = id;
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

    public void Assign(IActorRef worker, IProtocolMessage request) => _assigned[worker] = request;

    /// <summary>Queues a request no worker holds, to go to the next worker that can take it.</summary>
    public void Defer(IProtocolMessage request) => _unassigned.Enqueue(request);

    public IProtocolMessage TakeUnassigned() => _unassigned.Dequeue();

    /// <summary>Takes back the request of a worker that is gone, with whatever it had sent of it.</summary>
    public IProtocolMessage? Release(IActorRef worker)
    {
        foreach (var key in _chunks.Keys.Where(k => k.Item1.Equals(worker)).ToList()) _chunks.Remove(key);
        return _assigned.Remove(worker, out var request) ? request : null;
    }

    public void AddChunk(IActorRef worker, GradientChunk chunk)
    {
        if (!_assigned.ContainsKey(worker)) return;
        if (!_chunks.TryGetValue((worker, chunk.Level, chunk.Index), out var gradient))
            _chunks[(worker, chunk.Level, chunk.Index)] = gradient = new float[_parameterCount];
        chunk.Values.CopyTo(gradient.AsSpan(chunk.Offset));
    }

    /// <summary>Takes a worker's closing reply; false when it is not the reply of a request this worker holds.</summary>
    public bool Complete(IActorRef worker, PartialSum[] partials, double computeMs)
    {
        if (!_assigned.Remove(worker, out var request)) return false;
        foreach (var p in partials)
        {
            float[] gradient = [];
            if (!IsValidation && !_chunks.Remove((worker, p.Level, p.Index), out gradient!))
                throw new InvalidOperationException($"round {Id}: node ({p.Level}, {p.Index}) closed without its gradient");
            if (!_tree.Add(new TreeNode(p.Level, p.Index), gradient, p.Loss))
                throw new InvalidOperationException($"round {Id}: node ({p.Level}, {p.Index}) overlaps groups already summed");
        }
        SlowestComputeMs = System.Math.Max(SlowestComputeMs, computeMs);
        var (samples, ms) = _contributors.GetValueOrDefault(worker);
        _contributors[worker] = (samples + (request is ComputeGradients shard ? shard.SampleIds.Length : 0), ms + computeMs);
        return true;
    }
}
