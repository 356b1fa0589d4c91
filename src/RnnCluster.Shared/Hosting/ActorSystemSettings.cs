using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using RnnCluster.Shared.Serialization;

namespace RnnCluster.Shared.Hosting;

/// <summary>What every RnnCluster actor system shares, local or clustered, coordinator or worker.</summary>
public static class ActorSystemSettings
{
    /// <summary>docs/contract.md: seed node addresses read akka.tcp://rnn-cluster@HOST:PORT.</summary>
    public const string SystemName = "rnn-cluster";

    /// <summary>The transport of every node address: Akka.Remote's classic TCP.</summary>
    public const string Protocol = "akka.tcp";

    /// <summary>The transport under TLS (`--tls-cert`): Akka.Remote names it apart.</summary>
    public const string TlsProtocol = "akka.ssl.tcp";

    /// <summary>How every node address, and so every seed node, begins.</summary>
    public const string AddressPrefix = $"{Protocol}://{SystemName}@";

    /// <summary>
    /// A seed address in the protocol the node speaks: under TLS Akka.Remote calls its transport akka.ssl.tcp, so
    /// the one seed address a user knows (docs/contract.md: akka.tcp://rnn-cluster@HOST:PORT) serves both ways.
    /// </summary>
    public static string ForTransport(string seed, bool tls)
    {
        var (from, to) = tls ? (Protocol, TlsProtocol) : (TlsProtocol, Protocol);
        return seed.StartsWith(from + "://", StringComparison.Ordinal) ? to + seed[from.Length..] : seed;
    }

    /// <summary>Each worker actor computes on a thread of its own (see <see cref="Base"/>).</summary>
    public const string WorkerDispatcher = "rnn-worker-dispatcher";

    /// <summary>
    /// The wire format, and Akka's own logging kept to warnings, one line each on standard error
    /// (<see cref="OneLineLogger"/>), so the CLI's output stays the user's; the standard-out logger Akka uses
    /// before its loggers start and after they stop is off for the same reason (start-up failures reach the
    /// user as the exception, see <see cref="ClusterNode.StartAsync"/>). Dead letters at shutdown are expected
    /// (replies to a finished round) and not worth a line; nor is every remoting lifecycle event (a refused
    /// connection to a seed node not up yet is a worker's normal state between coordinators): the programs say
    /// what matters (waiting, joined, left) in their own words.
    /// A worker holds its thread for a whole shard (tens to hundreds of milliseconds); on the shared thread pool
    /// that starves the coordinator and Akka's own work, so workers get pinned threads.
    /// Both programs handle SIGTERM and Ctrl+C themselves and run CoordinatedShutdown when they are ready
    /// (rnn-cluster checkpoints first; rnn-worker leaves with a time limit): Akka's own hook would start it on
    /// SIGTERM and on process exit, terminating the actor system under the program's feet, and wait out every
    /// phase's timeout when a member is unreachable.
    /// </summary>
    public static Config Base => ConfigurationFactory.ParseString($$"""
        akka.loglevel = WARNING
        akka.stdout-loglevel = OFF
        akka.loggers = ["{{typeof(OneLineLogger).FullName}}, {{typeof(OneLineLogger).Assembly.GetName().Name}}"]
        akka.log-dead-letters-during-shutdown = off
        akka.log-dead-letters = 0
        akka.remote.log-remote-lifecycle-events = off
        akka.coordinated-shutdown.run-by-clr-shutdown-hook = off
        """).WithFallback(Worker);

    /// <summary>
    /// What a worker needs of any actor system that hosts it, an RnnCluster program's or another application's:
    /// the wire format's frame sizes and the pinned threads workers compute on (its serializer comes with
    /// <see cref="WireFormat.WithWireFormat"/> under Akka.Hosting, or <see cref="Setup"/> without).
    /// </summary>
    public static Config Worker => ConfigurationFactory.ParseString($"{WorkerDispatcher}.type = PinnedDispatcher").WithFallback(WireFormat.Config);

    /// <summary>An actor system made without Akka.Hosting (local mode, tests): <paramref name="config"/> and the protocol's serializer.</summary>
    public static ActorSystemSetup Setup(Config config) => BootstrapSetup.Create().WithConfig(config).And(WireFormat.Serialization);
}
