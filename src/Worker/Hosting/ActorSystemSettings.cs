using Akka.Configuration;
using RnnCluster.Worker.Serialization;

namespace RnnCluster.Worker.Hosting;

/// <summary>What every RnnCluster actor system shares, local or clustered, coordinator or worker.</summary>
public static class ActorSystemSettings
{
    /// <summary>CONTRACT: seed node addresses read akka.tcp://rnn-cluster@HOST:PORT.</summary>
    public const string SystemName = "rnn-cluster";

    /// <summary>
    /// The wire format, and Akka's own logging kept to warnings so the CLI's output stays the user's;
    /// dead letters at shutdown are expected (replies to a finished round) and not worth a line.
    /// </summary>
    public static Config Base => ConfigurationFactory.ParseString("""
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters-during-shutdown = off
        akka.log-dead-letters = 0
        """).WithFallback(WireFormat.Config);
}
