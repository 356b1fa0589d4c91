using Akka;
using Akka.Actor;
using Akka.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RnnCluster.Coordinator.Actors;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Shared;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Coordinator.Training;

/// <summary>
/// The ways to run a training job; what the CLI calls. Cancelling a session stops it as SIGTERM does: the
/// coordinator drops the round in flight, checkpoints, and the session throws <see cref="TrainingStoppedException"/>.
/// A failure throws <see cref="TrainingFailedException"/>.
/// </summary>
public static class TrainingSession
{
    /// <summary>How long a stopped coordinator may take to checkpoint and answer before the session gives up on it.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(6);

    /// <summary>
    /// How long the actor system may take to end. Leaving the cluster normally takes one or two gossip rounds,
    /// about a second; a local worker in the middle of a shard would hold termination until the shard is done
    /// (seconds, for a large model), and nothing waits for that shard any more.
    /// </summary>
    private static readonly TimeSpan ShutdownGrace = TimeSpan.FromSeconds(3);

    /// <summary>What the coordinator's `/ready` says while it leaves the cluster after its job.</summary>
    private static readonly Readiness JobOver = new(false, "the job has ended");

    /// <summary>
    /// Local mode: one actor system, <paramref name="workers"/> worker actors and the coordinator, no remoting.
    /// The same actors and messages as the cluster, so the result is the same bits. <paramref name="progress"/>
    /// hears every epoch's metrics and, if it is also an <see cref="IProgress{StepProgress}"/>, every step.
    /// </summary>
    public static Task<TrainingResult> RunLocalAsync(
        TrainingJob job, int workers, IProgress<EpochMetrics>? progress = null, CancellationToken cancellation = default)
        => RunLocalAsync(job, new LocalOptions(workers), new SessionOptions(Observer: new ProgressObserver(progress)), cancellation);

    /// <summary>Local mode with everything a session can be given: its workers (<paramref name="local"/>) and where it starts, checkpoints and reports (<paramref name="session"/>).</summary>
    public static async Task<TrainingResult> RunLocalAsync(TrainingJob job, LocalOptions local, SessionOptions session, CancellationToken cancellation)
    {
        if (local.Workers < 1) throw new ArgumentOutOfRangeException(nameof(local), "at least one worker");
        // A run cancelled before it starts must not start: the actors could otherwise finish a tiny job
        // before the cancellation is registered below.
        cancellation.ThrowIfCancellationRequested();
        var system = ActorSystem.Create(ActorSystemSettings.SystemName,
            ActorSystemSettings.Setup(local.Extra.WithFallback(SharedRoundThreads(local.Workers)).WithFallback(ActorSystemSettings.Base)));
        try
        {
            return await Run(system, job, local.Workers, session, null, ActorSystemSettings.WorkerDispatcher, cancellation, (coordinator, _) =>
            {
                for (int i = 0; i < local.Workers; i++)
                    coordinator.Tell(new WorkerJoined(system.ActorOf(WorkerActor.Props(local.ThreadsPerWorker, session.Faults), $"{WorkerActor.Name}-{i + 1}")));
            }).ConfigureAwait(false);
        }
        finally
        {
            await Task.WhenAny(system.Terminate(), Task.Delay(ShutdownGrace)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// In one process the coordinator and the workers share a pool of dedicated threads, one per worker and one
    /// more. A round then hands its messages from actor to actor on threads that are already awake (a worker's
    /// thread, done with its shard, runs the coordinator, whose next request the same thread then computes)
    /// instead of waking a pinned worker thread and a thread-pool thread every round; on a busy machine each wake
    /// waited for a core (seed model, 1 worker, load ~25 on 2 cores: 3.6-5.4 ms of a 8-9 ms round was that
    /// hand-off). The spare thread keeps the coordinator free to answer (a stop, a timer) while every worker
    /// computes.
    /// </summary>
    private static Config SharedRoundThreads(int workers) => ConfigurationFactory.ParseString($$"""
        {{ActorSystemSettings.WorkerDispatcher}} {
          type = ForkJoinDispatcher
          throughput = 100
          dedicated-thread-pool { thread-count = {{workers + 1}}, threadtype = background }
        }
        """);

    /// <summary>
    /// Cluster mode: this process joins (or, without seed nodes, forms) the cluster as role `coordinator`, waits
    /// for <see cref="ClusterOptions.MinWorkers"/> members of role `worker`, trains, then leaves the cluster.
    /// Workers that join later take part from the next round; a worker that dies mid-round has its shard redone.
    /// A node that cannot start (its port taken, say) throws <see cref="NodeStartException"/> before anything runs.
    /// <paramref name="progress"/> is heard as in <see cref="RunLocalAsync(TrainingJob, int, IProgress{EpochMetrics}?, CancellationToken)"/>.
    /// </summary>
    public static Task<TrainingResult> RunClusterAsync(
        TrainingJob job, ClusterOptions options, IProgress<EpochMetrics>? progress = null, CancellationToken cancellation = default)
        => RunClusterAsync(job, options, new SessionOptions(Observer: new ProgressObserver(progress)), cancellation);

    /// <summary>Cluster mode with everything a session can be given: the node and its workers (<paramref name="options"/>) and where it starts, checkpoints and reports (<paramref name="session"/>).</summary>
    public static async Task<TrainingResult> RunClusterAsync(TrainingJob job, ClusterOptions options, SessionOptions session, CancellationToken cancellation)
    {
        if (options.MinWorkers < 1) throw new ArgumentOutOfRangeException(nameof(options), "--min-workers: at least one worker");
        cancellation.ThrowIfCancellationRequested();
        NodeNames.Check(options.Node);
        var host = await ClusterNode.StartAsync(options.Node, ClusterNode.CoordinatorRole,
            system => NodeHealth.Get(system).Report(ReadinessObserver.Waiting(0, options.MinWorkers)), cancellation).ConfigureAwait(false);
        var system = host.Services.GetRequiredService<ActorSystem>();
        var health = NodeHealth.Get(system);
        try
        {
            // Under discovery workers are given the contact points, not a seed: the coordinator may have joined any node.
            var seed = options.Node.Discovery is not null ? null
                : options.Node.SeedNodes.Count == 0 ? Akka.Cluster.Cluster.Get(system).SelfAddress.ToString()
                : string.Join(",", options.Node.SeedNodes);
            var readiness = new ReadinessObserver(health);
            var observed = session with { Observer = session.Observer is null ? readiness : new ObserverGroup(session.Observer, readiness) };
            return await Run(system, job, options.MinWorkers, observed, seed, null, cancellation, (coordinator, running) =>
            {
                system.ActorOf(WorkerDiscoveryActor.Props(coordinator), "worker-discovery");
                system.ActorOf(WorkerDowningActor.Props(), "worker-downing");
                CheckpointWhenClusterLost(system, coordinator, running);
            }).ConfigureAwait(false);
        }
        finally
        {
            // Leaving runs Akka's CoordinatedShutdown: the workers see this member leave instead of going unreachable.
            // A leave completes once every member has seen it, so an unreachable one (a worker killed a moment ago)
            // holds it for CoordinatedShutdown's 10 s: the job is over, so those are downed first, and a leave still
            // not done after the grace is left to finish on its own (disposing the host would wait for it, and the
            // caller writes the model only after this returns).
            health.Report(JobOver);
            var cluster = Akka.Cluster.Cluster.Get(system);
            foreach (var unreachable in cluster.State.Unreachable) cluster.Down(unreachable.Address);
            var leaving = host.StopAsync(CancellationToken.None);
            if (await Task.WhenAny(leaving, Task.Delay(ShutdownGrace)).ConfigureAwait(false) == leaving) host.Dispose();
        }
    }

    /// <summary>
    /// A node leaves the cluster without being asked when it is downed (by hand, or by a peer's decision): Akka
    /// then runs CoordinatedShutdown, which ends the actor system, the coordinator with it. The first phase gives
    /// a run still going the time to checkpoint and fail with a message (<see cref="ClusterLost"/>), instead of
    /// ending with nothing saved. When the session ended first (it leaves the cluster itself), there is nothing to do.
    /// </summary>
    private static void CheckpointWhenClusterLost(ActorSystem system, IActorRef coordinator, Task running)
    {
        var shutdown = CoordinatedShutdown.Get(system);
        shutdown.AddTask(CoordinatedShutdown.PhaseBeforeServiceUnbind, "checkpoint-if-cluster-lost", async () =>
        {
            if (running.IsCompleted) return Done.Instance;
            coordinator.Tell(new ClusterLost(shutdown.ShutdownReason switch
            {
                CoordinatedShutdown.ClusterDowningReason => "this coordinator was downed: the cluster removed it, so the run cannot go on",
                CoordinatedShutdown.ClusterLeavingReason => "this coordinator left the cluster, so the run cannot go on",
                var reason => $"this coordinator's node is shutting down ({reason?.GetType().Name ?? "no reason given"}), so the run cannot go on",
            }));
            await Task.WhenAny(running, Task.Delay(StopGrace)).ConfigureAwait(false);
            return Done.Instance;
        });
    }

    // coordinatorDispatcher: where the coordinator runs (see SharedRoundThreads); null for the default dispatcher.
    private static async Task<TrainingResult> Run(ActorSystem system, TrainingJob job, int minWorkers, SessionOptions session, string? seed,
        string? coordinatorDispatcher, CancellationToken cancellation, Action<IActorRef, Task> bringWorkers)
    {
        var observer = session.Observer ?? new ProgressObserver(null);
        observer.Started(seed);
        var completion = new TaskCompletionSource<TrainingResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = system.ActorOf(SessionClientActor.Props(observer, completion), "session");
        var settings = new CoordinatorSettings(minWorkers, session.Checkpoints) { Faults = session.Faults };
        var props = CoordinatorActor.Props(job, session.Start ?? TrainingState.Initial(job), client, settings);
        var coordinator = system.ActorOf(coordinatorDispatcher is null ? props : props.WithDispatcher(coordinatorDispatcher), "coordinator");
        bringWorkers(coordinator, completion.Task);
        // An actor system that ends under the session without the coordinator having answered ends the run too.
        _ = system.WhenTerminated.ContinueWith(_ => completion.TrySetException(new TrainingFailedException(
            new ClusterLostException("the actor system stopped before the run ended"), session.Checkpoints?.Folder.Latest)), TaskScheduler.Default);
        TrainingResult result;
        await using (cancellation.Register(() =>
        {
            coordinator.Tell(StopTraining.Instance);
            _ = Task.Delay(StopGrace).ContinueWith(_ => completion.TrySetCanceled(cancellation), TaskScheduler.Default);
        }))
            result = await completion.Task.ConfigureAwait(false);
        session.Finishing?.Invoke(result);
        result.ReleaseWorkers();
        return result;
    }

    /// <summary>The observer of the public overloads: epochs (and steps, when the sink takes them too) to one progress sink.</summary>
    private sealed class ProgressObserver(IProgress<EpochMetrics>? progress) : ISessionObserver
    {
        public void StepDone(StepProgress step) => (progress as IProgress<StepProgress>)?.Report(step);

        public void EpochDone(EpochMetrics metrics) => progress?.Report(metrics);
    }
}
