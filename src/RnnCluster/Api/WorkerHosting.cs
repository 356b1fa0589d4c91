using Akka.Hosting;
using RnnCluster.Shared;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Serialization;

namespace RnnCluster;

/// <summary>Makes an Akka.NET application a worker of an RnnCluster job, in its own actor system, through Akka.Hosting.</summary>
public static class WorkerHosting
{
    /// <summary>The actor system name every node of a job has (its addresses read akka.tcp://rnn-cluster@HOST:PORT).</summary>
    public const string SystemName = ActorSystemSettings.SystemName;

    /// <summary>The cluster role a worker's node must have (give it to <c>WithClustering</c>'s roles).</summary>
    public const string Role = ClusterNode.WorkerRole;

    /// <summary>
    /// Adds a worker to the actor system this builder makes: the job's wire format (the protocol's serializer and
    /// frame sizes), a pinned thread for the worker to compute on, and the worker actor, started with the system.
    /// The application keeps its own settings: it names the system <see cref="SystemName"/>, sets up remoting and
    /// clustering (role <see cref="Role"/>, the coordinator among its seed nodes), and the coordinator finds the
    /// worker once the node is up.
    /// </summary>
    /// <param name="builder">The application's Akka.Hosting builder.</param>
    /// <param name="threads">Threads the worker computes a shard with.</param>
    /// <param name="dataDirectory">
    /// Where this node keeps copies of data files (as rnn-worker's `--data-dir`): a job's data file that is not at the
    /// coordinator's path is mapped from here by its name, once its SHA-256 matches; null to look at that path only.
    /// </param>
    public static AkkaConfigurationBuilder WithRnnWorker(this AkkaConfigurationBuilder builder, int threads = 1, string? dataDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        return builder
            .AddHocon(ActorSystemSettings.Worker, HoconAddMode.Prepend)
            .WithWireFormat()
            .AddStartup((system, _) => system.ActorOf(WorkerActor.Props(threads, dataDirectory: dataDirectory), WorkerActor.Name));
    }
}
