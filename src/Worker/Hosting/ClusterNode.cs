using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RnnCluster.Worker.Serialization;

namespace RnnCluster.Worker.Hosting;

/// <summary>A process's membership in the cluster, set up the Akka.Hosting way, for either role.</summary>
public static class ClusterNode
{
    public const string CoordinatorRole = "coordinator";
    public const string WorkerRole = "worker";

    /// <summary>
    /// A host whose actor system joins the cluster as <paramref name="role"/> (or forms it, without seed nodes)
    /// and then runs <paramref name="startActors"/>. Both programs handle SIGTERM and Ctrl+C themselves, so the
    /// host takes no signal (<see cref="SignalFreeLifetime"/>).
    /// Split brain: keep-oldest decided among the coordinators, without downing a lone oldest. The coordinator
    /// normally forms the cluster, so it is the oldest; whatever side of a partition it is on holds the job's
    /// state and can go on, even alone (new workers can join it). Keep-majority would down the coordinator's
    /// side whenever more workers sit across the partition, ending the job for nothing.
    /// </summary>
    public static IHost Build(NodeOptions node, string role, Action<ActorSystem> startActors)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        builder.Services.AddAkka(ActorSystemSettings.SystemName, akka => WithTls(akka, node.Tls)
            .AddHocon(ActorSystemSettings.Base, HoconAddMode.Prepend)
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
                SplitBrainResolver = new KeepOldestOption { Role = CoordinatorRole, DownIfAlone = false },
            })
            .AddStartup((system, _) =>
            {
                var cluster = Akka.Cluster.Cluster.Get(system);
                if (node.SeedNodes.Count == 0) cluster.Join(cluster.SelfAddress);
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
            host.Services.GetRequiredService<ActorSystem>();
            await host.StartAsync(cancellation).ConfigureAwait(false);
            return host;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new NodeStartException($"cannot start a cluster node on {node.Host}:{node.Port}: {e.GetBaseException().Message}");
        }
    }
}
