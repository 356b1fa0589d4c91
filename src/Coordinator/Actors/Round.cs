using System.Diagnostics;
using Akka.Actor;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// One round in flight: which worker holds which shard request, the loss sums of the tree nodes received so far
/// (finished along the reduction tree here), and, for a training round, whether the gradient's root has arrived on
/// the data plane (the workers sum the gradient tree among themselves; see RootInbox). A reply counts only from
/// the worker that holds the request, once; anything else (a duplicate, a reply from a worker whose shard was given
/// to another) is refused.
/// </summary>
internal sealed class Round
{
    private readonly TreeAccumulator _losses;
    private readonly Dictionary<IActorRef, IProtocolMessage> _assigned = new();
    private readonly Queue<IProtocolMessage> _unassigned = new();
    private readonly Dictionary<IActorRef, (int Samples, double ComputeMs)> _contributors = new();
    private readonly long _started = Stopwatch.GetTimestamp();
    private readonly float[]? _gradient;
    private bool _rootArrived;

    private Round(long id, int groupCount, float[]? gradient)
    {
        Id = id;
        _losses = new TreeAccumulator(groupCount);
        _gradient = gradient;
    }

    /// <summary>A training round, whose summed gradient arrives in <paramref name="gradient"/>.</summary>
    public static Round Training(long id, int groupCount, float[] gradient) => new(id, groupCount, gradient);

    public static Round Validation(long id, int groupCount) => new(id, groupCount, null);

    public long Id { get; }

    public bool IsValidation => _gradient is null;

    public double SlowestComputeMs { get; private set; }

    public double ElapsedMs => Stopwatch.GetElapsedTime(_started).TotalMilliseconds;

    public bool IsComplete => _losses.IsComplete && (IsValidation || _rootArrived);

    /// <summary>The workers whose replies were counted, each once however many shards it computed.</summary>
    public IReadOnlyCollection<IActorRef> Contributors => _contributors.Keys;

    /// <summary>What each contributor did: the samples of its shards (none in a validation round) and its compute time.</summary>
    public IReadOnlyList<WorkerShare> Shares =>
        _contributors.Select(c => new WorkerShare(c.Key.Path.ToString(), c.Value.Samples, c.Value.ComputeMs)).ToList();

    /// <summary>Whether the worker holds a request of this round or has computed one.</summary>
    public bool Involves(IActorRef worker) => _assigned.ContainsKey(worker) || _contributors.ContainsKey(worker);

    /// <summary>The sum of every group's gradient (empty for validation) and loss.</summary>
    public (float[] Gradient, double Loss) Root => (_gradient ?? [], _losses.Root.Loss);

    public bool HasUnassigned => _unassigned.Count > 0;

    public bool Holds(IActorRef worker) => _assigned.ContainsKey(worker);

    public void Assign(IActorRef worker, IProtocolMessage request) => _assigned[worker] = request;

    /// <summary>Queues a request no worker holds, to go to the next worker that can take it.</summary>
    public void Defer(IProtocolMessage request) => _unassigned.Enqueue(request);

    public IProtocolMessage TakeUnassigned() => _unassigned.Dequeue();

    /// <summary>Takes back the request of a worker that is gone.</summary>
    public IProtocolMessage? Release(IActorRef worker) => _assigned.Remove(worker, out var request) ? request : null;

    /// <summary>The gradient's root is in its buffer.</summary>
    public void RootArrived() => _rootArrived = true;

    /// <summary>Takes a worker's closing reply; false when it is not the reply of a request this worker holds.</summary>
    public bool Complete(IActorRef worker, PartialSum[] partials, double computeMs)
    {
        if (!_assigned.Remove(worker, out var request)) return false;
        foreach (var p in partials)
            if (!_losses.Add(new TreeNode(p.Level, p.Index), [], p.Loss))
                throw new InvalidOperationException($"round {Id}: node ({p.Level}, {p.Index}) overlaps groups already summed");
        SlowestComputeMs = System.Math.Max(SlowestComputeMs, computeMs);
        var (samples, ms) = _contributors.GetValueOrDefault(worker);
        _contributors[worker] = (samples + (request is ComputeGradients shard ? shard.SampleIds.Length : 0), ms + computeMs);
        return true;
    }
}
