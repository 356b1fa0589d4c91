using System.Threading.Channels;
using Akka.Actor;
using Akka.Cluster;
using RnnCluster.Shared;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Worker.Lifecycle;

/// <summary>
/// Tells the worker program what happens to its node: the cluster's news about itself and the coordinators,
/// and the worker actor's jobs (from the event stream), written into a channel the program reads.
/// </summary>
internal sealed class MembershipWatcher : ReceiveActor
{
    public const string Name = "membership";

    private readonly ChannelWriter<WorkerEvent> _events;
    private readonly HashSet<Address> _coordinators = new();

    public MembershipWatcher(ChannelWriter<WorkerEvent> events)
    {
        _events = events;
        var self = Akka.Cluster.Cluster.Get(Context.System).SelfAddress;
        // A coordinator hands out its job as soon as it sees this node Up, which can be before this node hears
        // so itself: being let in (Joining) is what counts as joined.
        Receive<ClusterEvent.MemberJoined>(joined => joined.Member.Address.Equals(self), _ => Report(new Joined(self)));
        Receive<ClusterEvent.MemberUp>(up => IsCoordinator(up.Member) && _coordinators.Add(up.Member.Address),
            up => Report(new CoordinatorUp(up.Member.Address)));
        Receive<ClusterEvent.UnreachableMember>(e => IsCoordinator(e.Member), unreachable => Report(new CoordinatorUnreachable(unreachable.Member.Address)));
        Receive<ClusterEvent.ReachableMember>(e => IsCoordinator(e.Member), reachable => Report(new CoordinatorReachable(reachable.Member.Address)));
        Receive<ClusterEvent.MemberRemoved>(e => IsCoordinator(e.Member), removed =>
        {
            if (_coordinators.Remove(removed.Member.Address))
                Report(new CoordinatorRemoved(removed.Member.Address, removed.PreviousStatus == MemberStatus.Exiting, _coordinators.Count));
        });
        Receive<JobAccepted>(accepted => Report(new JobReceived(accepted.Job, accepted.Network)));
        Receive<JobSamplesWaited>(waited => Report(new SamplesWaited(waited.JobId, waited.Waits)));
        Receive<JobFinished>(finished => Report(new JobEnded(finished.JobId)));
        Receive<JobRefused>(refused => Report(new JobDeclined(refused.JobId, refused.Reason)));
        Receive<MessageRefused>(refused => Report(new MessageDeclined(refused.JobId, refused.Reason)));
        ReceiveAny(_ => { });
    }

    public static Props Props(ChannelWriter<WorkerEvent> events) => Akka.Actor.Props.Create(() => new MembershipWatcher(events));

    protected override void PreStart()
    {
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.InitialStateAsEvents,
            typeof(ClusterEvent.MemberJoined), typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved), typeof(ClusterEvent.IReachabilityEvent));
        Context.System.EventStream.Subscribe(Self, typeof(JobAccepted));
        Context.System.EventStream.Subscribe(Self, typeof(JobSamplesWaited));
        Context.System.EventStream.Subscribe(Self, typeof(JobFinished));
        Context.System.EventStream.Subscribe(Self, typeof(JobRefused));
        Context.System.EventStream.Subscribe(Self, typeof(MessageRefused));
    }

    protected override void PostStop()
    {
        Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);
        Context.System.EventStream.Unsubscribe(Self);
    }

    private void Report(WorkerEvent e) => _events.TryWrite(e);

    private static bool IsCoordinator(Member member) => member.HasRole(ClusterNode.CoordinatorRole);
}
