using Akka.Actor;
using Akka.Cluster;
using RnnCluster.Coordinator.Actors;
using RnnCluster.Shared;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Coordinator.Cluster;

/// <summary>
/// Finds the worker actor of every member that comes up with role `worker` and introduces it to the coordinator,
/// then passes on what the failure detector says of its node (unreachable, reachable again), so that the
/// coordinator can give its shard to another worker at once, and when the node is downed: a downed member never
/// comes back, but it is removed (and its death reported to whoever watches it) only once the cluster converges,
/// which under churn can take as long as the churn lasts. A worker that leaves is the coordinator's own
/// business: it watches each worker and hears of its death.
/// A member counts once it is WeaklyUp: while any member is unreachable and not yet downed the cluster has no
/// convergence and moves no one to Up, which under churn (workers dying and joining every few seconds) is
/// most of the time.
/// </summary>
internal sealed class WorkerDiscoveryActor : ReceiveActor, IWithTimers
{
    /// <summary>A member may be Up before its worker actor is started; ask again after this long.</summary>
    private static readonly TimeSpan RetryAfter = TimeSpan.FromMilliseconds(500);

    private readonly Dictionary<UniqueAddress, IActorRef> _workers = new();

    private sealed record Lookup(UniqueAddress Member);

    public WorkerDiscoveryActor(IActorRef coordinator)
    {
        Receive<ClusterEvent.MemberUp>(up => IsWorker(up.Member), up => Identify(up.Member.UniqueAddress));
        Receive<ClusterEvent.MemberWeaklyUp>(up => IsWorker(up.Member), up => Identify(up.Member.UniqueAddress));
        Receive<Lookup>(lookup => Identify(lookup.Member));
        Receive<ActorIdentity>(identity =>
        {
            if (identity.MessageId is not UniqueAddress member) return;
            if (identity.Subject is { } worker)
            {
                if (!_workers.TryAdd(member, worker)) return;
                coordinator.Tell(new WorkerJoined(worker));
                if (IsUnreachable(member)) coordinator.Tell(new WorkerUnreachable(worker));
            }
            else if (IsMember(member)) Timers.StartSingleTimer(member, new Lookup(member), RetryAfter);
        });
        Receive<ClusterEvent.UnreachableMember>(e => _workers.ContainsKey(e.Member.UniqueAddress),
            e => coordinator.Tell(new WorkerUnreachable(_workers[e.Member.UniqueAddress])));
        Receive<ClusterEvent.ReachableMember>(e => _workers.ContainsKey(e.Member.UniqueAddress),
            e => coordinator.Tell(new WorkerReachable(_workers[e.Member.UniqueAddress])));
        Receive<ClusterEvent.MemberDowned>(e => _workers.ContainsKey(e.Member.UniqueAddress),
            e => coordinator.Tell(new WorkerDowned(_workers[e.Member.UniqueAddress])));
        Receive<ClusterEvent.MemberRemoved>(removed => _workers.Remove(removed.Member.UniqueAddress));
        ReceiveAny(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(IActorRef coordinator) => Akka.Actor.Props.Create(() => new WorkerDiscoveryActor(coordinator));

    protected override void PreStart()
        => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.InitialStateAsEvents,
            typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberWeaklyUp), typeof(ClusterEvent.MemberDowned), typeof(ClusterEvent.MemberRemoved),
            typeof(ClusterEvent.IReachabilityEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    private static bool IsWorker(Member member) => member.HasRole(ClusterNode.WorkerRole);

    private void Identify(UniqueAddress member)
    {
        if (!_workers.ContainsKey(member))
            Context.ActorSelection(new RootActorPath(member.Address) / "user" / WorkerActor.Name).Tell(new Identify(member));
    }

    private static bool IsMember(UniqueAddress member)
        => Akka.Cluster.Cluster.Get(Context.System).State.Members.Any(m => m.UniqueAddress.Equals(member) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp);

    private static bool IsUnreachable(UniqueAddress member)
        => Akka.Cluster.Cluster.Get(Context.System).State.Unreachable.Any(m => m.UniqueAddress.Equals(member));
}
