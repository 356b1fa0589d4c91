using Akka.Actor;
using Akka.Cluster;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Coordinator.Cluster;

/// <summary>
/// The coordinator's half of the cluster's downing policy (<see cref="ClusterNode"/>): a worker node unreachable
/// for <see cref="DownAfter"/> is downed, by the coordinator and by no one else. Its shard went to a live worker
/// the moment it became unreachable, so this is not what failover waits for; it is what lets the cluster move
/// on: while an unreachable member is not downed, the cluster has no convergence, and no member that joins in
/// the meantime becomes Up. A downed worker that is still alive (it was cut off) finds out when it is back and
/// joins again as a new node (`rnn-worker` does that by itself).
/// </summary>
internal sealed class WorkerDowningActor : ReceiveActor, IWithTimers
{
    /// <summary>
    /// Long enough that a worker whose node stalls for a few seconds (a long garbage collection, a machine
    /// swapping, a link that flaps) is reachable again before it is downed, and then simply takes work again;
    /// short enough that under churn dead members do not pile up for long.
    /// </summary>
    public static readonly TimeSpan DownAfter = TimeSpan.FromSeconds(10);

    private sealed record DownWorker(Address Node);

    public WorkerDowningActor()
    {
        var cluster = Akka.Cluster.Cluster.Get(Context.System);
        Receive<ClusterEvent.UnreachableMember>(e => e.Member.HasRole(ClusterNode.WorkerRole),
            e => Timers.StartSingleTimer(e.Member.UniqueAddress, new DownWorker(e.Member.Address), DownAfter));
        Receive<ClusterEvent.ReachableMember>(e => Timers.Cancel(e.Member.UniqueAddress));
        Receive<ClusterEvent.MemberRemoved>(e => Timers.Cancel(e.Member.UniqueAddress));
        Receive<DownWorker>(down => cluster.Down(down.Node));
        ReceiveAny(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props() => Akka.Actor.Props.Create(() => new WorkerDowningActor());

    protected override void PreStart()
        => Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.InitialStateAsEvents,
            typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
}
