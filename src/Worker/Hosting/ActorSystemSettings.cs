using Akka.Configuration;
using RnnCluster.Worker.Serialization;

namespace RnnCluster.Worker.Hosting;

/// <summary>What every RnnCluster actor system shares, local or clustered, coordinator or worker.</summary>
public static class ActorSystemSettings
{
    /// <summary>docs/contract.md: seed node addresses read akka.tcp://rnn-cluster@HOST:PORT.</summary>
    public const string SystemName = "rnn-cluster";

    /// <summary>How every node address, and so every seed node, begins.</summary>
    public const string AddressPrefix = $"akka.tcp://{SystemName}@";

    /// <summary>Each worker actor computes on a thread of its own (see <see cref="Base"/>).</summary>
    public const string WorkerDispatcher = "rnn-worker-dispatcher";

    /// <summary>
    /// The wire format, and Akka's own logging kept to warnings so the CLI's output stays the user's;
    /// dead letters at shutdown are expected (replies to a finished round) and not worth a line.
    /// A worker holds its thread for a whole shard (tens to hundreds of milliseconds); on the shared thread pool
    /// that starves the coordinator and Akka's own work, so workers get pinned threads.
    /// </summary>
    public static Config Base => ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters-during-shutdown = off
        akka.log-dead-letters = 0
        rnn-worker-dispatcher.type = PinnedDispatcher
        """).WithFallback(WireFormat.Config);

    /// <summary>
    /// For a program that handles SIGTERM itself and runs CoordinatedShutdown when it is ready (rnn-cluster
    /// checkpoints first): Akka (1.5.74) would otherwise start CoordinatedShutdown on SIGTERM, and on process
    /// exit, by itself, terminating the actor system under the program's feet.
    /// </summary>
    public static Config OwnSignals => ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-clr-shutdown-hook = off");
}
