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
/// parameters) trained by SGD with learning rate 1, so after a round the weights are exactly the initial
/// weights minus the sum of the gradients the probes sent. A minibatch is 8 samples in 4 groups of 2; an epoch
/// is 2 minibatches; the job is one epoch (unless a test asks for more) without validation.
/// </summary>
public abstract class CoordinatorTestKit() : Akka.TestKit.Xunit2.TestKit(ActorSystemSettings.Base)
{
    protected static readonly float[] Initial = [0.5f, -0.25f];

    /// <summary>Two workers to start; no shard is ever late (the probes answer when a test says), unless a test changes that.</summary>
    protected static CoordinatorSettings Settings => new(MinWorkers: 2) { LateFloor = TimeSpan.FromMinutes(10) };

    protected readonly record struct TreeNodeGradient(int Level, int Index, float[] Gradient);

    /// <summary>The probes and a coordinator; the client hears only steps, epochs and endings (see <see cref="HearFailover"/>).</summary>
    protected (TestProbe A, TestProbe B, TestProbe Client, IActorRef Coordinator) Start(CoordinatorSettings? settings = null, int epochs = 1)
    {
        var client = CreateTestProbe();
        client.IgnoreMessages(message => message is WaitingForWorkers or WorkerArrived or WorkerLeft or ShardReissued or WorkerLost or WorkerBack);
        return (CreateTestProbe(), CreateTestProbe(), client, Sys.ActorOf(CoordinatorActor.Props(Job(epochs), client.Ref, settings ?? Settings)));
    }

    /// <summary>The client hears what failover reports too (workers lost and back, shards re-issued), besides steps and endings.</summary>
    protected static void HearFailover(TestProbe client) => client.IgnoreMessages(message => message is WaitingForWorkers or WorkerArrived or WorkerLeft);

    protected static TrainingJob Job(int epochs = 1)
    {
        var model = new ModelConfig(1, [new DenseConfig(1)]);
        var training = new TrainingConfig(Epochs: epochs, BatchSize: 8, Shuffle: false, Optimizer: new OptimizerConfig(OptimizerKind.Sgd, LearningRate: 1f), GroupSize: 2);
        return TrainingJob.Create(model, training, TestJobs.RandomSet(16, 1, 1, 1, seed: 3), null, Initial);
    }

    /// <summary>Both workers join and get the data; returns the first round's requests, the weights already taken.</summary>
    protected static (ComputeGradients A, ComputeGradients B) FirstRound(TestProbe a, TestProbe b, IActorRef coordinator)
    {
        coordinator.Tell(new WorkerJoined(a.Ref));
        coordinator.Tell(new WorkerJoined(b.Ref));
        foreach (var probe in new[] { a, b })
        {
            var job = probe.ExpectMsg<StartJob>();
            probe.ExpectMsg<DataChunk>();
            probe.ExpectMsg<DataChunk>();
            coordinator.Tell(new DataReceived(job.JobId), probe.Ref);
        }
        Assert.Equal(Initial, NextWeights(a));
        Assert.Equal(Initial, NextWeights(b));
        return (a.ExpectMsg<ComputeGradients>(), b.ExpectMsg<ComputeGradients>());
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
