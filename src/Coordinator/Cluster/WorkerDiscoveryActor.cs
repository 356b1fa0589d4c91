using Akka.Actor;
using Akka.Cluster;
using RnnCluster.Coordinator.Actors;
using RnnCluster.Worker;
using RnnCluster.Worker.Hosting;

namespace RnnCluster.Coordinator.Cluster;

/// <summary>
/// Finds the worker actor of every member that comes up with role `worker` and introduces it to the coordinator.
/// Leaving is the coordinator's own business: it watches each worker and hears of its death.
/// </summary>
public sealed class WorkerDiscoveryActor : ReceiveActor, IWithTimers
{
    /// <summary>A member may be Up before its worker actor is started; ask again after this long.</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(500);

    private sealed record Lookup(Address Member);

    public WorkerDiscoveryActor(IActorRef coordinator)
    {
        Receive<ClusterEvent.MemberUp>(up => up.Member.HasRole(ClusterNode.WorkerRole), up => Identify(up.Member.Address));
        Receive<Lookup>(lookup => Identify(lookup.Member));
        Receive<ActorIdentity>(identity =>
        {
            if (identity.Subject is not null) coordinator.Tell(new WorkerJoined(identity.Subject));
            else if (identity.MessageId is Address member && IsUp(member))
                Timers.StartSingleTimer(member, new Lookup(member), RetryAfter);
        });
        ReceiveAny(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef coordinator) => Akka.Actor.Props.Create(() => new WorkerDiscoveryActor(coordinator));

    protected override void PreStart()
        => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.InitialStateAsEvents, typeof(ClusterEvent.MemberUp));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private void Identify(Address member)
        => Context.ActorSelection(new RootActorPath(member) / "user" / WorkerActor.Name).Tell(new Identify(member));

    private static bool IsUp(Address member)
        => Akka.Cluster.Cluster.Get(Context.System).State.Members.Any(m => m.Address.Equals(member) && m.Status == MemberStatus.Up);
}
