using Akka.Actor;
using Akka.Cluster;

namespace RnnCluster.Shared.Hosting;

/// <summary>Whether a node should be given work, and why not when it should not.</summary>
public sealed record Readiness(bool Ready, string Reason);

/// <summary>
/// What a node's health endpoints answer (<see cref="ManagementServer"/>, on the management port). Alive: the actor
/// system runs. Ready: what the program last reported (<see cref="Report"/>: the coordinator, ready once its job
/// has its workers), or, when it reports nothing (a worker), whether this node is a member Up in the cluster.
/// </summary>
public sealed class NodeHealth : IExtension
{
    private readonly ActorSystem _system;
    private volatile Readiness? _reported;

    public NodeHealth(ActorSystem system) => _system = system;

    public static NodeHealth Get(ActorSystem system) => system.WithExtension<NodeHealth, NodeHealthProvider>();

    /// <summary>From now on `/ready` answers <paramref name="readiness"/>.</summary>
    public void Report(Readiness readiness) => _reported = readiness;

    private static readonly Readiness Running = new(true, "the actor system runs");
    private static readonly Readiness Stopped = new(false, "the actor system has stopped");

    /// <summary>What `/alive` answers.</summary>
    public Readiness Liveness => _system.WhenTerminated.IsCompleted ? Stopped : Running;

    /// <summary>What `/ready` answers.</summary>
    public Readiness Readiness => _system.WhenTerminated.IsCompleted ? Stopped : _reported ?? Membership();

    private Readiness Membership()
    {
        var status = Akka.Cluster.Cluster.Get(_system).SelfMember.Status;
        return status is MemberStatus.Up or MemberStatus.WeaklyUp
            ? new Readiness(true, "a member of the cluster")
            : new Readiness(false, status == MemberStatus.Removed ? "not in a cluster yet" : $"cluster membership {status.ToString().ToLowerInvariant()}");
    }
}

public sealed class NodeHealthProvider : ExtensionIdProvider<NodeHealth>
{
    public override NodeHealth CreateExtension(ExtendedActorSystem system) => new(system);
}
