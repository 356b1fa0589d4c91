using Akka.Actor;
using Rnn.Math.Model;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Worker.Lifecycle;

// What happens to one worker node, as MembershipWatcher hears it and WorkerService acts on it. These stay in
// the worker's own process.

internal abstract record WorkerEvent;

/// <summary>This node is Up in the cluster, at <see cref="Self"/>.</summary>
internal sealed record Joined(Address Self) : WorkerEvent;

/// <summary>A coordinator is Up in the cluster (also one that was there when this node joined).</summary>
internal sealed record CoordinatorUp(Address Coordinator) : WorkerEvent;

internal sealed record CoordinatorUnreachable(Address Coordinator) : WorkerEvent;

internal sealed record CoordinatorReachable(Address Coordinator) : WorkerEvent;

/// <summary>
/// A coordinator is no longer a member: it <see cref="Left"/>, or was downed. <see cref="Remaining"/>
/// coordinators are still Up.
/// </summary>
internal sealed record CoordinatorRemoved(Address Coordinator, bool Left, int Remaining) : WorkerEvent;

internal sealed record JobReceived(StartJob Job, Network Network) : WorkerEvent;

internal sealed record JobEnded(Guid JobId) : WorkerEvent;

/// <summary>The job that ends next fetched its samples, and compute waited for them as <see cref="Waits"/> says.</summary>
internal sealed record SamplesWaited(Guid JobId, SampleWaits Waits) : WorkerEvent;

/// <summary>This worker refused a job it cannot hold, for <see cref="Reason"/>.</summary>
internal sealed record JobDeclined(Guid JobId, string Reason) : WorkerEvent;

/// <summary>This worker refused a message of its job that did not fit, for <see cref="Reason"/>, and waits for the job again.</summary>
internal sealed record MessageDeclined(Guid JobId, string Reason) : WorkerEvent;

/// <summary>The node's actor system has terminated: the cluster removed it (downed), or it left.</summary>
internal sealed record NodeStopped : WorkerEvent
{
    public static readonly NodeStopped Instance = new();
}
