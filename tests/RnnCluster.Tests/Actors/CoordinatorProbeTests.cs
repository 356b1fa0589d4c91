using Akka.Actor;
using Akka.TestKit;
using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using RnnCluster.Coordinator.Actors;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.Hosting;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Tests.Actors;

/// <summary>
/// A coordinator driven by probes standing in for two workers. The model is Dense(1) on one input (two
/// parameters) trained by SGD with learning rate 1 unless a test says otherwise, on 16 samples in minibatches
/// of 8 and groups of 2, so after a round the weights are exactly the previous weights minus the sum of the
/// gradients the probes sent. No shard is ever late (the probes answer when a test says) unless a test's
/// settings say otherwise.
/// </summary>
public abstract class CoordinatorProbeTests() : Akka.TestKit.Xunit2.TestKit(ActorSystemSettings.Base)
{
    protected static readonly float[] Initial = [0.5f, -0.25f];

    /// <summary>Two workers to start, and a shard is late only after ten minutes.</summary>
    protected static CoordinatorSettings Settings => new(MinWorkers: 2) { LateFloor = TimeSpan.FromMinutes(10) };

    protected readonly record struct TreeNodeGradient(int Level, int Index, float[] Gradient);

    /// <summary>
    /// The probes and a coordinator, with <see cref="Settings"/> for <paramref name="minWorkers"/> unless
    /// <paramref name="settings"/> are given; the client hears neither arrivals nor failover (see <see cref="HearFailover"/>).
    /// </summary>
    protected (TestProbe A, TestProbe B, TestProbe Client, IActorRef Coordinator) Start(TrainingJob? job = null, int minWorkers = 2, CoordinatorSettings? settings = null)
    {
        var client = CreateTestProbe();
        client.IgnoreMessages(message => message is WaitingForWorkers or WorkerArrived or WorkerLeft or ShardReissued or WorkerLost or WorkerBack);
        var coordinator = Sys.ActorOf(CoordinatorActor.Props(job ?? Job(), client.Ref, settings ?? Settings with { MinWorkers = minWorkers }));
        return (CreateTestProbe(), CreateTestProbe(), client, coordinator);
    }

    /// <summary>The client hears what failover reports too (workers lost and back, shards re-issued), besides steps and endings.</summary>
    protected static void HearFailover(TestProbe client) => client.IgnoreMessages(message => message is WaitingForWorkers or WorkerArrived or WorkerLeft);

    protected static TrainingJob Job(float learningRate = 1f, int maxBadSteps = TrainingConfig.DefaultMaxBadSteps, int epochs = 1)
    {
        var model = new ModelConfig(1, [new DenseConfig(1)]);
        var training = new TrainingConfig(Epochs: epochs, BatchSize: 8, Shuffle: false,
            Optimizer: new OptimizerConfig(OptimizerKind.Sgd, LearningRate: learningRate), GroupSize: 2, MaxBadSteps: maxBadSteps);
        return TrainingJob.Create(model, training, TestJobs.RandomSet(16, 1, 1, 1, seed: 3), null, Initial);
    }

    /// <summary>The workers join, take the job and its data; each gets the initial weights and half the groups.</summary>
    protected static (ComputeGradients A, ComputeGradients B) FirstRound(TestProbe a, TestProbe b, IActorRef coordinator)
    {
        coordinator.Tell(new WorkerJoined(a.Ref));
        coordinator.Tell(new WorkerJoined(b.Ref));
        foreach (var probe in new[] { a, b }) ReceiveJob(probe, coordinator);
        Assert.Equal(Initial, NextWeights(a));
        Assert.Equal(Initial, NextWeights(b));
        return (a.ExpectMsg<ComputeGradients>(), b.ExpectMsg<ComputeGradients>());
    }

    /// <summary>The probe takes the job and its two data chunks, and says it holds the data.</summary>
    protected static StartJob ReceiveJob(TestProbe probe, IActorRef coordinator)
    {
        var job = probe.ExpectMsg<StartJob>();
        probe.ExpectMsg<DataChunk>();
        probe.ExpectMsg<DataChunk>();
        coordinator.Tell(new DataReceived(job.JobId), probe.Ref);
        return job;
    }

    protected static float[] NextWeights(TestProbe worker) => worker.ExpectMsg<WeightsChunk>().Values;

    protected static void Reply(TestProbe worker, IActorRef coordinator, ComputeGradients request, TreeNodeGradient node, double loss = 1, double computeMs = 1)
        => Reply(worker, coordinator, request, [node], loss, computeMs);

    /// <summary>The worker's answer to <paramref name="request"/>: the gradient of each node, then the closing message.</summary>
    protected static void Reply(TestProbe worker, IActorRef coordinator, ComputeGradients request, TreeNodeGradient[] nodes, double loss = 1, double computeMs = 1)
    {
        foreach (var node in nodes)
            coordinator.Tell(new GradientChunk(request.JobId, request.RoundId, node.Level, node.Index, 0, node.Gradient), worker.Ref);
        coordinator.Tell(new GradientsComputed(request.JobId, request.RoundId, nodes.Select(n => new PartialSum(n.Level, n.Index, loss)).ToArray(), computeMs), worker.Ref);
    }
}
