using System.Threading.Channels;
using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Worker.Lifecycle;

/// <summary>
/// One incarnation of a worker in the cluster: an actor system that joins the seed nodes as role `worker`,
/// runs the worker actor, and reports what happens to it through <see cref="Events"/>. It serves until it
/// leaves or the cluster removes it; Akka cannot take a removed system back, so the next one is a new node.
/// </summary>
internal sealed class WorkerNode
{
    private readonly IHost _host;
    private readonly ActorSystem _system;

    private WorkerNode(IHost host, ActorSystem system, ChannelReader<WorkerEvent> events)
    {
        (_host, _system, Events) = (host, system, events);
    }

    public ChannelReader<WorkerEvent> Events { get; }

    /// <summary>Throws <see cref="NodeStartException"/> when the node cannot listen where it is told to.</summary>
    public static async Task<WorkerNode> StartAsync(WorkerCommandLine options, CancellationToken cancellation)
    {
        var events = Channel.CreateUnbounded<WorkerEvent>();
        var host = await ClusterNode.StartAsync(options.Node, ClusterNode.WorkerRole, system =>
        {
            system.ActorOf(WorkerActor.Props(options.Threads, options.Faults, slowdown: options.Slowdown, dataDirectory: options.DataDirectory), WorkerActor.Name);
            system.ActorOf(MembershipWatcher.Props(events.Writer), MembershipWatcher.Name);
        }, cancellation).ConfigureAwait(false);
        var system = host.Services.GetRequiredService<ActorSystem>();
        _ = system.WhenTerminated.ContinueWith(_ => events.Writer.TryWrite(NodeStopped.Instance), TaskScheduler.Default);
        return new WorkerNode(host, system, events.Reader);
    }

    /// <summary>
    /// Gives the node up without a word to a coordinator it cannot reach (a leave would wait for it): marks itself
    /// down, which makes Akka end the node within a second or two, and waits at most <paramref name="limit"/> for that.
    /// </summary>
    public async Task DownAsync(TimeSpan limit)
    {
        var cluster = Akka.Cluster.Cluster.Get(_system);
        cluster.Down(cluster.SelfAddress);
        if (await Task.WhenAny(_system.WhenTerminated, Task.Delay(limit)).ConfigureAwait(false) == _system.WhenTerminated) _host.Dispose();
        else await LeaveAsync(limit).ConfigureAwait(false);
    }

    /// <summary>
    /// Leaves the cluster (CoordinatedShutdown: leave, wait until removed, terminate) and releases the node.
    /// A leave cannot complete while a member is unreachable; after <paramref name="limit"/> the node is
    /// abandoned as it is, which its peers see as a node gone silent.
    /// </summary>
    public async Task LeaveAsync(TimeSpan limit)
    {
        var leave = CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClrExitReason.Instance);
        if (await Task.WhenAny(leave, Task.Delay(limit)).ConfigureAwait(false) == leave) _host.Dispose();
    }
}
