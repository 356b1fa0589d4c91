using Akka.Actor;
using Akka.TestKit;
using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using Rnn.Math.Losses;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Actors;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.DataPlane;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Tests.Actors;

/// <summary>
/// A coordinator driven by probes standing in for two workers. The model is Dense(1) on one input (two
/// parameters) trained by SGD with learning rate 1 unless a test says otherwise, on 16 samples in minibatches
/// of 8 and groups of 2, so after a round the weights are exactly the previous weights minus the sum of the
/// gradients the probes sent. No shard is ever late (the probes answer when a test says) unless a test's
/// settings say otherwise.
/// Each probe has a data-plane inbox of its own, as a worker has, which hands it the data and each version of
/// the weights (<see cref="WorkerInbox"/>). The probes do not route their partial sums to one another: the tree
/// of each round is finished here, from the replies the test makes, and the reply that completes it sends the
/// root to the coordinator's data plane, as the root's owner would.
/// </summary>
public abstract class CoordinatorProbeTests() : Akka.TestKit.Xunit2.TestKit(ActorSystemSettings.Setup(ActorSystemSettings.Base))
{
    protected static readonly float[] Initial = [0.5f, -0.25f];

    private readonly Dictionary<IActorRef, StartJob> _jobs = new();
    private readonly Dictionary<long, TreeAccumulator> _trees = new();

    /// <summary>Two workers to start, and a shard is late only after ten minutes.</summary>
    private protected static CoordinatorSettings Settings => new(MinWorkers: 2) { LateFloor = TimeSpan.FromMinutes(10) };

    protected readonly record struct TreeNodeGradient(int Level, int Index, float[] Gradient);

    /// <summary>
    /// The probes and a coordinator, with <see cref="Settings"/> for <paramref name="minWorkers"/> unless
    /// <paramref name="settings"/> are given; the client hears neither arrivals nor failover (see <see cref="HearFailover"/>).
    /// </summary>
    private protected (TestProbe A, TestProbe B, TestProbe Client, IActorRef Coordinator) Start(TrainingJob? job = null, int minWorkers = 2, CoordinatorSettings? settings = null)
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
    protected (ComputeGradients A, ComputeGradients B) FirstRound(TestProbe a, TestProbe b, IActorRef coordinator)
    {
        coordinator.Tell(new WorkerJoined(a.Ref));
        coordinator.Tell(new WorkerJoined(b.Ref));
        foreach (var probe in new[] { a, b }) ReceiveJob(probe, coordinator);
        Assert.Equal(Initial, NextWeights(a));
        Assert.Equal(Initial, NextWeights(b));
        return (a.ExpectMsg<ComputeGradients>(), b.ExpectMsg<ComputeGradients>());
    }

    /// <summary>The probe takes the job, answers with its data-plane endpoint, takes the data there, and says it holds it.</summary>
    protected StartJob ReceiveJob(TestProbe probe, IActorRef coordinator)
    {
        var job = probe.ExpectMsg<StartJob>();
        _jobs[probe.Ref] = job;
        var endpoint = DataPlaneNode.Get(Sys).Register(job.Token, new WorkerInbox(new JobReplica(job, Initial.Length), probe.Ref));
        coordinator.Tell(new WorkerReady(job.JobId, endpoint), probe.Ref);
        probe.ExpectMsg<DataArrived>();
        coordinator.Tell(new DataReceived(job.JobId), probe.Ref);
        return job;
    }

    protected static float[] NextWeights(TestProbe worker) => worker.ExpectMsg<WeightsArrived>().Weights;

    /// <summary>Sends <paramref name="frame"/> with <paramref name="values"/> to the coordinator's data plane as the probe.</summary>
    protected void SendFrame(TestProbe worker, Frame frame, float[] values)
    {
        var job = _jobs[worker.Ref];
        DataPlaneNode.Get(Sys).SenderTo(job.CoordinatorEndpoint, job.Token, job.WorkerId).Send(frame, values, 0);
    }

    protected void Reply(TestProbe worker, IActorRef coordinator, ComputeGradients request, TreeNodeGradient node, double loss = 1, double computeMs = 1)
        => Reply(worker, coordinator, request, [node], loss, computeMs);

    /// <summary>
    /// The worker's answer to <paramref name="request"/>: its nodes go into the round's tree, whose root goes to the
    /// coordinator's data plane once the replies made so far complete it; then the closing message.
    /// </summary>
    protected void Reply(TestProbe worker, IActorRef coordinator, ComputeGradients request, TreeNodeGradient[] nodes, double loss = 1, double computeMs = 1)
    {
        if (!_trees.TryGetValue(request.RoundId, out var tree)) _trees[request.RoundId] = tree = new TreeAccumulator(request.GroupCount);
        bool complete = tree.IsComplete;
        foreach (var node in nodes) tree.Add(new TreeNode(node.Level, node.Index), (float[])node.Gradient.Clone(), new LossSums(loss, 0, 0, 0));
        if (!complete && tree.IsComplete)
        {
            var root = tree.Root.Gradient;
            SendFrame(worker, Frame.Partial(request.RoundId, ReductionTree.RootLevel(request.GroupCount), 0, 0, root.Length), root);
        }
        coordinator.Tell(new GradientsComputed(request.JobId, request.RoundId, nodes.Select(n => new PartialSum(n.Level, n.Index, new LossSums(loss, 0, 0, 0))).ToArray(), computeMs), worker.Ref);
    }
}
