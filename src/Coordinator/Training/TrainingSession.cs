using Akka.Actor;
using Akka.Configuration;
using RnnCluster.Coordinator.Actors;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Worker;
using RnnCluster.Worker.Hosting;

namespace RnnCluster.Coordinator.Training;

/// <summary>The ways to run a training job; what the CLI calls.</summary>
public static class TrainingSession
{
    /// <summary>
    /// Local mode: one actor system, <paramref name="workers"/> worker actors and the coordinator, no remoting.
    /// The same actors and messages as the cluster, so the result is the same bits. <paramref name="progress"/>
    /// hears every epoch's metrics and, if it is also an <see cref="IProgress{StepProgress}"/>, every step.
    /// </summary>
    public static Task<TrainingResult> RunLocalAsync(
        TrainingJob job, int workers, IProgress<EpochMetrics>? progress = null, CancellationToken cancellation = default)
        => RunLocalAsync(job, workers, threadsPerWorker: 1, SessionObservers.Of(progress), ConfigurationFactory.Empty, cancellation);

    internal static async Task<TrainingResult> RunLocalAsync(
        TrainingJob job, int workers, int threadsPerWorker, SessionObservers observers, Config extra, CancellationToken cancellation)
    {
        if (workers < 1) throw new ArgumentOutOfRangeException(nameof(workers), "at least one worker");
        // A run cancelled before it starts must not start: the actors could otherwise finish a tiny job
        // before the cancellation is registered below.
        cancellation.ThrowIfCancellationRequested();
        var system = ActorSystem.Create(ActorSystemSettings.SystemName,
            extra.WithFallback(SharedRoundThreads(workers)).WithFallback(ActorSystemSettings.Base));
        try
        {
            var completion = new TaskCompletionSource<TrainingResult>(TaskCreationOptions.RunContinuationsAsynchronously);
            var client = system.ActorOf(SessionClientActor.Props(observers, completion), "session");
            var coordinator = system.ActorOf(CoordinatorActor.Props(job, client, workers).WithDispatcher(ActorSystemSettings.WorkerDispatcher), "coordinator");
            for (int i = 0; i < workers; i++)
                coordinator.Tell(new WorkerJoined(system.ActorOf(WorkerActor.Props(threadsPerWorker), $"{WorkerActor.Name}-{i + 1}")));
            await using (cancellation.Register(() => completion.TrySetCanceled(cancellation)))
                return await completion.Task.ConfigureAwait(false);
        }
        finally
        {
            await system.Terminate().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// In one process the coordinator and the workers share one dedicated thread per worker. A round then hands
    /// its messages from actor to actor on threads that are already awake (a worker's thread, done with its shard,
    /// runs the coordinator, whose next request the same thread then computes) instead of waking a pinned worker
    /// thread and a thread-pool thread every round; on a busy machine each wake waited for a core (seed model,
    /// 1 worker, load ~25 on 2 cores: 3.6-5.4 ms of a 8-9 ms round was that hand-off).
    /// </summary>
    private static Config SharedRoundThreads(int workers) => ConfigurationFactory.ParseString($$"""
        {{ActorSystemSettings.WorkerDispatcher}} {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = {{workers}}, threadtype = background }
        }
        """);

    /// <summary>
    /// Cluster mode: this process joins (or, without seed nodes, forms) the cluster as role `coordinator`, waits
    /// for <see cref="ClusterOptions.MinWorkers"/> members of role `worker`, trains, then leaves the cluster.
    /// Workers that join later take part from the next round; a worker that dies mid-round has its shard redone.
    /// <paramref name="progress"/> is heard as in <see cref="RunLocalAsync(TrainingJob, int, IProgress{EpochMetrics}?, CancellationToken)"/>.
    /// </summary>
    public static async Task<TrainingResult> RunClusterAsync(
        TrainingJob job, ClusterOptions options, IProgress<EpochMetrics>? progress = null, CancellationToken cancellation = default)
    {
        if (options.MinWorkers < 1) throw new ArgumentOutOfRangeException(nameof(options), "--min-workers: at least one worker");
        var completion = new TaskCompletionSource<TrainingResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var host = ClusterNode.Build(options.Node, ClusterNode.CoordinatorRole, system =>
        {
            var client = system.ActorOf(SessionClientActor.Props(SessionObservers.Of(progress), completion), "session");
            var coordinator = system.ActorOf(CoordinatorActor.Props(job, client, options.MinWorkers), "coordinator");
            system.ActorOf(WorkerDiscoveryActor.Props(coordinator), "worker-discovery");
        });
        await host.StartAsync(cancellation).ConfigureAwait(false);
        try
        {
            await using (cancellation.Register(() => completion.TrySetCanceled(cancellation)))
                return await completion.Task.ConfigureAwait(false);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
