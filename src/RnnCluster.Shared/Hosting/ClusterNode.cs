using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RnnCluster.Shared.Serialization;

namespace RnnCluster.Shared.Hosting;

/// <summary>A process's membership in the cluster, set up the Akka.Hosting way, for either role.</summary>
public static class ClusterNode
{
    public const string CoordinatorRole = "coordinator";
    public const string WorkerRole = "worker";

    /// <summary>
    /// A host whose actor system joins the cluster as <paramref name="role"/> (or forms it, without seed nodes),
    /// or finds it through discovery (<see cref="NodeOptions.Discovery"/>, started by <see cref="StartAsync"/>),
    /// and then runs <paramref name="startActors"/>. Both programs handle SIGTERM and Ctrl+C themselves, so the
    /// host takes no signal (<see cref="SignalFreeLifetime"/>). Failure detection and downing are set for this
    /// workload by <see cref="Membership"/>.
    /// </summary>
    public static IHost Build(NodeOptions node, string role, Action<ActorSystem> startActors)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        builder.Services.AddAkka(ActorSystemSettings.SystemName, akka => WithDiscovery(WithTls(akka, node.Tls), node)
            .AddHocon(ActorSystemSettings.Base, HoconAddMode.Prepend)
            .WithWireFormat()
            .AddHocon(Membership, HoconAddMode.Prepend)
            .WithRemoting(new RemoteOptions
            {
                HostName = node.Host,
                Port = node.Port,
                PublicHostName = node.AdvertisedHost,
                MaxFrameSize = WireFormat.MaximumFrameSizeBytes,
                SendBufferSize = 2 * WireFormat.MaximumFrameSizeBytes,
                ReceiveBufferSize = 2 * WireFormat.MaximumFrameSizeBytes,
            })
            .WithClustering(new ClusterOptions
            {
                Roles = [role],
                SeedNodes = node.SeedNodes.Select(seed => ActorSystemSettings.ForTransport(seed, node.Tls is not null)).ToArray(),
            })
            .AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                if (node.SeedNodes.Count == 0 && node.Discovery is null) cluster.Join(cluster.SelfAddress);
                startActors(system);
            }));
        return builder.Build();
    }

    /// <summary>
    /// Under TLS, Akka.Remote speaks it with mutual authentication (<see cref="NodeTls.AkkaSetup"/>: a peer whose
    /// certificate does not chain to the CA cannot associate, so it never joins), and the data plane uses the same
    /// certificates (<see cref="DataPlane.DataPlaneSetup"/>).
    /// </summary>
    private static AkkaConfigurationBuilder WithTls(AkkaConfigurationBuilder akka, NodeTls? tls)
    {
        if (tls is null) return akka;
        return akka
            .AddHocon("akka.remote.dot-netty.tcp.enable-ssl = true", HoconAddMode.Prepend)
            .AddSetup(tls.AkkaSetup())
            .AddSetup(new DataPlane.DataPlaneSetup(tls));
    }

    /// <summary>The cluster bootstrap over the node's discovery, when it has one (started by <see cref="StartAsync"/>).</summary>
    private static AkkaConfigurationBuilder WithDiscovery(AkkaConfigurationBuilder akka, NodeOptions node) =>
        node is { Discovery: { } discovery, ManagementPort: { } port } ? discovery.Apply(akka, port) : akka;

    /// <summary>
    /// Who may down whom, and how fast a silent node is suspected: the cluster has one member that matters (the
    /// coordinator, which holds the run) and any number that do not (workers, which hold nothing that cannot be
    /// sent again, and come back as new nodes by themselves).
    /// <para>
    /// No split-brain resolver. Akka's resolver decides on the leader of each side of a partition, and the leader
    /// may be a worker; and every one of its strategies can down the coordinator: `down-all-when-unstable` downs
    /// every node, coordinator included, once reachability has kept changing for `stable-after` plus 3/4 of it,
    /// and it runs on every node, leader or not (SplitBrainResolverBase.OnTick) — which worker churn (one killed,
    /// one started, every 10 s) does, ending the run; keep-oldest, even with role `coordinator`, downs nodes that
    /// are "indirectly connected" (both observer and subject of unreachability, which the coordinator is whenever
    /// a worker has died and another worker briefly cannot hear it) and downs all when a membership change
    /// coincides with a partition. Instead the decision is split by role, so that it never touches the
    /// coordinator: the coordinator downs a worker it has found unreachable for a while (WorkerDowningActor, in
    /// rnn-cluster), and a worker that has not heard its coordinator for a while downs only itself and joins
    /// again as a new node (WorkerService, in rnn-worker). Neither waits for the other, so a partition resolves
    /// the same way on both sides without a vote, and the job's side is always the coordinator's.
    /// </para>
    /// <para>
    /// The failure detector keeps Akka's pace (a heartbeat a second, 3 s of silence accepted): the coordinator
    /// does not wait for it to give a lost worker's shard away (a shard late on its worker's recent pace goes to
    /// an idle worker first), and the downing on either side waits 10 s more, so a false suspicion on a busy
    /// machine costs a copied shard, not a node. Heartbeats are answered by the cluster's own actors, never by
    /// the worker actor, which computes on a thread of its own.
    /// </para>
    /// <para>
    /// While an unreachable member is not downed yet the cluster has no convergence and lets no joining member
    /// be Up; the coordinator takes a worker once it is WeaklyUp, which Akka allows after 7 s by default: 2 s
    /// here, so that under churn a new worker takes part within seconds.
    /// </para>
    /// <para>
    /// A cut link stalls a TCP connection for as long as the cut lasts plus the retransmission back-off, which
    /// doubles up to 13 s and more; a node cut off for long is downed and comes back as a new node over new
    /// connections. Those are attempted every 2 s and given up after 4 s of silence (Akka: 5 s and 15 s), so
    /// that one starts within a few seconds of the link's return instead of waiting out a SYN sent into the cut.
    /// </para>
    /// </summary>
    public static Config Membership => ConfigurationFactory.ParseString("""
        akka.cluster.downing-provider-class = ""
        akka.cluster.auto-down-unreachable-after = off
        akka.cluster.failure-detector.heartbeat-interval = 1 s
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3 s
        akka.cluster.allow-weakly-up-members = 2 s
        akka.remote.retry-gate-closed-for = 2 s
        akka.remote.dot-netty.tcp.connection-timeout = 4 s
        """);

    /// <summary>
    /// <see cref="Build"/>, then starts the node; when it cannot listen, throws <see cref="NodeStartException"/>
    /// with the reason in one line, before Akka has logged anything. The actor system is created here rather
    /// than inside the host's start, where Akka.Hosting would print the whole nested exception to standard out.
    /// </summary>
    public static async Task<IHost> StartAsync(NodeOptions node, string role, Action<ActorSystem> startActors,
        CancellationToken cancellation = default)
    {
        ListenCheck.Probe(node);
        var host = Build(node, role, startActors);
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            await host.StartAsync(cancellation).ConfigureAwait(false);
            if (node.ManagementPort is { } port)
            {
                var server = ManagementServer.Start(system, node.Host, port);
                if (node.Discovery is not null) await ManagementServer.StartBootstrapAsync(system, server.BaseUri(node.AdvertisedHost ?? node.Host)).ConfigureAwait(false);
            }
            return host;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new NodeStartException($"cannot start a cluster node on {node.Host}:{node.Port}: {e.GetBaseException().Message}");
        }
    }
}
