using System.Collections.Concurrent;
using Akka.Actor;
using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared;
using RnnCluster.Shared.Compute;
using RnnCluster.Worker;
using RnnCluster.Shared.DataPlane;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Tests.Actors;

/// <summary>
/// A worker driven by the test as its coordinator, through Akka and the data plane (the test's own sink takes
/// what the worker sends there), checked against the engine run directly.
/// </summary>
public sealed class WorkerActorTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly TrainingJob _job = TestJobs.StackedLstmGru(trainSamples: 12, validationSamples: 5);
    private readonly RecordingSink _sink = new();
    private readonly StartJob _start;

    public WorkerActorTests() : base(ActorSystemSettings.Setup(ActorSystemSettings.Base))
    {
        var token = Guid.NewGuid();
        var endpoint = DataPlaneNode.Get(Sys).Register(token, _sink);
        _start = new StartJob(Guid.NewGuid(), WorkerJob.Of(_job.Model, _job.Training), new DataShape(12, 5, 6, 2, 1), token, endpoint, WorkerId: 1);
    }

    [Fact]
    public void It_reports_the_data_received_once_every_segment_arrived()
    {
        var worker = Sys.ActorOf(WorkerActor.Props(threads: 1));
        var plane = Started(worker);
        Send(plane, DataPart.TrainX, _job.Train.X);
        Send(plane, DataPart.TrainY, _job.Train.Y);
        Send(plane, DataPart.ValidationX, _job.Validation!.X);
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        Send(plane, DataPart.ValidationY, _job.Validation.Y);
        Assert.Equal(_start.JobId, ExpectMsg<DataReceived>().JobId);
    }

    [Fact]
    public void It_sends_the_tree_nodes_of_its_shard_along_the_routes_with_the_engines_sums()
    {
        var (worker, _) = Ready();
        int[] minibatch = [3, 7, 1, 0, 9, 4];
        // Shard 1 of [0, 1) and [1, 3): both its nodes go to the holder of shard 0, which sums their parents; that holder is the test.
        worker.Tell(new ComputeGradients(_start.JobId, 5, 1, 0, minibatch.Length, 3, 1, [0, 1, 3], [_start.CoordinatorEndpoint, "unused:1#1"], minibatch[2..]));

        var done = ExpectMsg<GradientsComputed>();
        Assert.Equal([new PartialSum(0, 1, done.Partials[0].Sums), new PartialSum(1, 1, done.Partials[1].Sums)], done.Partials);
        var (gradients, losses) = EngineGroups(minibatch, epoch: 1);
        AwaitCondition(() => _sink.Frames.Count == 2);
        Assert.Equal(gradients[1], _sink.Values(new TreeNode(0, 1)));
        Assert.Equal(gradients[2], _sink.Values(new TreeNode(1, 1)));
        Assert.Equal([losses[1], losses[2]], done.Partials.Select(p => p.Sums));
    }

    [Fact]
    public void It_ignores_requests_of_another_job()
    {
        var (worker, _) = Ready();
        worker.Tell(new ComputeGradients(Guid.NewGuid(), 5, 1, 0, 2, 1, 0, [0, 1], [_start.CoordinatorEndpoint], [0, 1]));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void It_returns_validation_loss_sums_along_the_tree()
    {
        var (worker, _) = Ready();
        worker.Tell(new ComputeValidationLoss(_start.JobId, 9, 0, 3, 0, 3));
        Assert.Equal(ValidationRoot(), ExpectMsg<ValidationLossComputed>().Partials);
    }

    [Fact]
    public void A_request_waits_for_the_weights_it_names_and_is_computed_once_they_are_in()
    {
        var (worker, plane) = Ready();
        worker.Tell(new ComputeValidationLoss(_start.JobId, 9, 1, 3, 0, 3));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        SendWeights(plane, version: 1, offset: 0);
        Assert.Equal(9, ExpectMsg<ValidationLossComputed>().RoundId);
    }

    [Fact]
    public void A_job_larger_than_its_memory_is_refused_with_what_it_would_need_and_nothing_of_it_is_kept()
    {
        var worker = Sys.ActorOf(WorkerActor.Props(threads: 1, memoryBytes: 1024));
        worker.Tell(_start);

        var refused = ExpectMsg<JobRefused>();
        Assert.Equal(_start.JobId, refused.JobId);
        // 317 parameters of 4 bytes, and one gradient for each of the 5 groups of a minibatch of 10 in groups of 2.
        Assert.StartsWith("it needs about ", refused.Reason);
        Assert.Contains(" on a worker (weights 1.2 KB, gradients of 5 groups 6.2 KB, activations ", refused.Reason);
        Assert.EndsWith("), this machine has 1.0 KB", refused.Reason);
        worker.Tell(new ComputeValidationLoss(_start.JobId, 9, 0, 3, 0, 3));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_mapped_data_file_this_node_lacks_is_not_sent_one_it_holds_otherwise_is_refused_naming_it_and_a_copy_that_matches_needs_no_data_frame()
    {
        using var folder = new TempFolder();
        var path = folder.File("data.safetensors");
        Rnn.Math.Weights.SafeTensors.Write(path, [
            new("x", [17, 6, 2], _job.Train.X.ToArray().Concat(_job.Validation!.X.ToArray()).ToArray()),
            new("y", [17, 1], _job.Train.Y.ToArray().Concat(_job.Validation.Y.ToArray()).ToArray())]);
        string hash = FileHash.Sha256(path);
        StartJob Mapped(string file, string sha256) => _start with { Shape = _start.Shape with { Mapped = new MappedData(file, sha256, 0, 12) } };

        // No copy here: the worker is sent nothing of the data, and a data frame does not fit (it fetches its samples instead).
        var missing = Sys.ActorOf(WorkerActor.Props(threads: 1));
        missing.Tell(Mapped(folder.File("elsewhere.safetensors"), hash));
        var ready = ExpectMsg<WorkerReady>();
        Assert.True(ready.NeedsData);
        Assert.Equal(_start.JobId, ExpectMsg<DataReceived>().JobId);
        Send(DataPlaneNode.Get(Sys).SenderTo(ready.Endpoint, _start.Token, StartJob.CoordinatorId), DataPart.TrainX, _job.Train.X);
        Assert.EndsWith("not a segment of TrainX (0 values)", ExpectMsg<FrameRefused>().Reason);

        var other = Sys.ActorOf(WorkerActor.Props(threads: 1));
        other.Tell(Mapped(path, new string('0', 64)));
        Assert.StartsWith($"data: {path} on this node is not the coordinator's file (SHA-256 {hash[..12]}", ExpectMsg<JobRefused>().Reason);

        // The same file: the worker maps it, and with no lengths to come on the data plane it has all the data at once.
        var same = Sys.ActorOf(WorkerActor.Props(threads: 1));
        same.Tell(Mapped(path, hash));
        ExpectMsg<WorkerReady>();
        Assert.Equal(_start.JobId, ExpectMsg<DataReceived>().JobId);
    }

    [Fact]
    public void A_worker_without_the_data_file_fetches_each_shard_and_the_next_ones_samples_and_computes_the_same_bits()
    {
        var (worker, plane) = Fetching();
        int[] minibatch = [3, 7, 1, 0, 9, 4];
        var request = new ComputeGradients(_start.JobId, 5, 1, 0, minibatch.Length, 3, 1, [0, 1, 3], [_start.CoordinatorEndpoint, "unused:1#1"], minibatch[2..])
        {
            NextSampleIds = [11, 2, 8, 5],
        };
        worker.Tell(request);
        // The shard's samples at once, and the next minibatch's same groups ahead of need.
        var shard = ExpectMsg<FetchSamples>();
        Assert.False(shard.Validation);
        Assert.Equal(minibatch[2..], shard.SampleIds);
        var ahead = ExpectMsg<FetchSamples>();
        Assert.Equal([11, 2, 8, 5], ahead.SampleIds);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        SendSamples(plane, shard);

        var done = ExpectMsg<GradientsComputed>();
        var (gradients, losses) = EngineGroups(minibatch, epoch: 1);
        AwaitCondition(() => _sink.Frames.Count == 2);
        Assert.Equal(gradients[1], _sink.Values(new TreeNode(0, 1)));
        Assert.Equal(gradients[2], _sink.Values(new TreeNode(1, 1)));
        Assert.Equal([losses[1], losses[2]], done.Partials.Select(p => p.Sums));

        // The next request is what was read ahead: nothing more is fetched but the samples after it, and only those not
        // held (1 is, from the first shard, whose block stays for it).
        // The epoch's last step also names this worker's shard of the validation round after it: its first slice is
        // read ahead too.
        SendSamples(plane, ahead);
        worker.Tell(request with { RoundId = 6, SampleIds = [11, 2, 8, 5], NextSampleIds = [5, 6, 10, 1], NextValidation = new ValidationShard(3, 0, 3) });
        var nextEpoch = ExpectMsg<FetchSamples>();
        Assert.Equal([6, 10], nextEpoch.SampleIds);
        var validation = ExpectMsg<FetchSamples>();
        Assert.True(validation.Validation);
        Assert.Equal([0, 1, 2, 3, 4], validation.SampleIds);
        Assert.Equal(6, ExpectMsg<GradientsComputed>().RoundId);
        SendSamples(plane, nextEpoch);
        SendSamples(plane, validation);

        // Validation finds its slice held (or on its way) and fetches nothing.
        worker.Tell(new ComputeValidationLoss(_start.JobId, 9, 0, 3, 0, 3));
        Assert.Equal(ValidationRoot(), ExpectMsg<ValidationLossComputed>().Partials);

        // The samples read ahead for the step after (the next epoch's first) outlived validation: it fetches nothing.
        worker.Tell(request with { RoundId = 7, SampleIds = [5, 6, 10, 1], NextSampleIds = null });
        Assert.Equal(7, ExpectMsg<GradientsComputed>().RoundId);

        // Its end tells how compute waited: round 5 for the 200 ms its shard was held back, in 4 gathers.
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe, typeof(JobSamplesWaited));
        worker.Tell(new JobFinished(_start.JobId));
        var waits = probe.ExpectMsg<JobSamplesWaited>().Waits;
        Assert.Equal(4, waits.Gathers);
        Assert.InRange(waits.Waits, 1, 4);
        Assert.True(waits.Longest >= TimeSpan.FromMilliseconds(200), $"longest wait {waits.Longest}");
        Assert.True(waits.Total >= waits.Longest);
    }

    [Fact]
    public void A_samples_frame_that_does_not_fit_its_fetch_is_refused_and_one_of_a_dropped_fetch_is_ignored()
    {
        var (worker, plane) = Fetching();
        worker.Tell(new ComputeGradients(_start.JobId, 5, 1, 0, 2, 1, 0, [0, 1], [_start.CoordinatorEndpoint], [3, 7]) { NextSampleIds = [1, 2] });
        var shard = ExpectMsg<FetchSamples>();
        ExpectMsg<FetchSamples>();
        // The next request names neither: both fetches are dropped, and a frame of either is read and ignored.
        worker.Tell(new ComputeGradients(_start.JobId, 6, 1, 0, 2, 1, 0, [0, 1], [_start.CoordinatorEndpoint], [4, 5]));
        ExpectMsg<FetchSamples>();
        SendSamples(plane, shard);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));

        var (other, otherPlane) = Fetching();
        other.Tell(new ComputeGradients(_start.JobId, 5, 1, 0, 2, 1, 0, [0, 1], [_start.CoordinatorEndpoint], [3, 7]));
        var fetch = ExpectMsg<FetchSamples>();
        otherPlane.Send(Frame.Samples(fetch.Ticket, (byte)DataPart.ValidationX, 0, 24), new float[24], 0);
        Assert.Equal($"frame Samples part 2 tag {fetch.Ticket} node (0, 0) offset 0 count 24: fetch {fetch.Ticket} is of the training samples", ExpectMsg<FrameRefused>().Reason);
    }

    [Fact]
    public void A_file_not_at_the_coordinators_path_is_mapped_from_the_data_directory_by_its_name_once_its_hash_matches()
    {
        using var folder = new TempFolder();
        var copies = Directory.CreateDirectory(folder.File("copies")).FullName;
        var copy = Path.Combine(copies, "series.safetensors");
        Rnn.Math.Weights.SafeTensors.Write(copy, [
            new("x", [17, 6, 2], _job.Train.X.ToArray().Concat(_job.Validation!.X.ToArray()).ToArray()),
            new("y", [17, 1], _job.Train.Y.ToArray().Concat(_job.Validation.Y.ToArray()).ToArray())]);
        string hash = FileHash.Sha256(copy);
        // The coordinator's path is on its own machine: nothing is there on this one.
        var coordinatorsPath = folder.File("coordinator-only/series.safetensors");
        StartJob Mapped(string sha256) => _start with { Shape = _start.Shape with { Mapped = new MappedData(coordinatorsPath, sha256, 0, 12) } };

        var worker = Sys.ActorOf(WorkerActor.Props(threads: 1, dataDirectory: copies));
        worker.Tell(Mapped(hash));
        Assert.False(ExpectMsg<WorkerReady>().NeedsData);
        Assert.Equal(_start.JobId, ExpectMsg<DataReceived>().JobId);

        var other = Sys.ActorOf(WorkerActor.Props(threads: 1, dataDirectory: copies));
        other.Tell(Mapped(new string('0', 64)));
        Assert.StartsWith($"data: {copy} on this node is not the coordinator's file (SHA-256 {hash[..12]}", ExpectMsg<JobRefused>().Reason);

        // Without the directory the worker has no copy, and asks for the data.
        var plain = Sys.ActorOf(WorkerActor.Props(threads: 1));
        plain.Tell(Mapped(hash));
        Assert.True(ExpectMsg<WorkerReady>().NeedsData);
    }

    [Fact]
    public void A_model_whose_tensors_cannot_be_arrays_is_refused_naming_the_layer()
    {
        var worker = Sys.ActorOf(WorkerActor.Props(threads: 1));
        worker.Tell(_start with { Job = WorkerJob.Of(new ModelConfig(2, [new LstmConfig(100_000), new DenseConfig(1)]), _job.Training) });
        Assert.StartsWith("model.layers[0].units: 100000 is too large: layers.0.weight_hh_l0 [400000, 100000]", ExpectMsg<JobRefused>().Reason);
    }

    [Fact]
    public void A_data_frame_off_the_segment_grid_is_refused_and_the_coordinator_hears_whose_it_was()
    {
        var worker = Sys.ActorOf(WorkerActor.Props(threads: 1));
        var plane = Started(worker);
        plane.Send(Frame.Data((byte)DataPart.TrainX, 5, _job.Train.X.Length - 5), _job.Train.X.ToArray(), 0);

        var refused = ExpectMsg<FrameRefused>();
        Assert.Equal((_start.JobId, 0), (refused.JobId, refused.SenderId));
        Assert.Equal($"frame Data part 0 tag 0 node (0, 0) offset 5 count {_job.Train.X.Length - 5}: not a segment of TrainX ({_job.Train.X.Length} values)", refused.Reason);
    }

    [Fact]
    public void A_weights_frame_past_the_parameters_is_refused_and_the_request_after_it_is_not_computed()
    {
        var (worker, plane) = Ready(weights: false);
        SendWeights(plane, version: 0, offset: _job.InitialWeights.Length);
        worker.Tell(new ComputeValidationLoss(_start.JobId, 9, 0, 3, 0, 3));

        int length = _job.InitialWeights.Length;
        Assert.Equal($"frame Weights part 0 tag 0 node (0, 0) offset {length} count {length}: not a segment of the weights ({length} values)",
            ExpectMsg<FrameRefused>().Reason);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_request_for_samples_that_do_not_exist_is_refused_rather_than_failed()
    {
        var (worker, _) = Ready();
        worker.Tell(new ComputeGradients(_start.JobId, 5, 1, 0, 2, 1, 0, [0, 1], [_start.CoordinatorEndpoint], [0, 99]));
        var refused = ExpectMsg<MessageRefused>();
        Assert.Equal((5L, "sample id 99, outside the 12 training samples"), (refused.RoundId, refused.Reason));
    }

    [Fact]
    public void A_request_whose_shards_are_not_a_partition_of_its_groups_is_refused()
    {
        var (worker, _) = Ready();
        worker.Tell(new ComputeGradients(_start.JobId, 5, 1, 0, 2, 1, 0, [0, 2], [_start.CoordinatorEndpoint], [0, 1]));
        Assert.Equal("shard bounds [0, 2] for 1 groups", ExpectMsg<MessageRefused>().Reason);
    }

    [Fact]
    public void A_message_it_could_not_read_is_refused_naming_why()
    {
        var (worker, _) = Ready();
        worker.Tell(new UndecodableMessage("control", _start.JobId, "SerializationException: unknown type index 99"));
        Assert.Equal("a control message it could not read: SerializationException: unknown type index 99", ExpectMsg<MessageRefused>().Reason);
    }

    [Fact]
    public void The_test_hook_sends_every_partial_sum_of_its_round_past_the_parameters_once()
    {
        var (worker, _) = Ready(Sys.ActorOf(WorkerActor.Props(threads: 1, new TestFaults(GradientOffsetRound: 5))));
        var request = new ComputeGradients(_start.JobId, 5, 1, 0, 2, 1, 0, [0, 1], [_start.CoordinatorEndpoint], [0, 1]);
        worker.Tell(request);
        ExpectMsg<GradientsComputed>();
        AwaitCondition(() => _sink.Frames.Count == 1);
        Assert.Equal(_job.InitialWeights.Length, _sink.Frames.Single().Frame.Offset);

        worker.Tell(request with { RoundId = 6 });
        ExpectMsg<GradientsComputed>();
        AwaitCondition(() => _sink.Frames.Count == 2);
        Assert.Equal(0, _sink.Frames.Last().Frame.Offset);
    }

    /// <summary>The worker takes the job and answers with its endpoint; the sender of the coordinator's frames to it.</summary>
    private IFrameSender Started(IActorRef worker)
    {
        worker.Tell(_start);
        var ready = ExpectMsg<WorkerReady>();
        return DataPlaneNode.Get(Sys).SenderTo(ready.Endpoint, _start.Token, 0);
    }

    private (IActorRef Worker, IFrameSender Plane) Ready(IActorRef? worker = null, bool weights = true)
    {
        worker ??= Sys.ActorOf(WorkerActor.Props(threads: 1));
        var plane = Started(worker);
        SendData(plane);
        ExpectMsg<DataReceived>();
        if (weights) SendWeights(plane, version: 0, offset: 0);
        return (worker, plane);
    }

    /// <summary>A worker whose job's data file is not on its node, with the weights of version 0: it is sent nothing of the data.</summary>
    private (IActorRef Worker, IFrameSender Plane) Fetching()
    {
        var worker = Sys.ActorOf(WorkerActor.Props(threads: 1));
        worker.Tell(_start with { Shape = _start.Shape with { Mapped = new MappedData("/nonexistent/data.safetensors", new string('0', 64), 0, 12) } });
        var ready = ExpectMsg<WorkerReady>();
        Assert.True(ready.NeedsData);
        Assert.Equal(_start.JobId, ExpectMsg<DataReceived>().JobId);
        var plane = DataPlaneNode.Get(Sys).SenderTo(ready.Endpoint, _start.Token, 0);
        SendWeights(plane, version: 0, offset: 0);
        return (worker, plane);
    }

    /// <summary>What the coordinator answers a fetch with: x and y of its samples, each packed in the order asked for, in one segment.</summary>
    private void SendSamples(IFrameSender plane, FetchSamples fetch)
    {
        var set = fetch.Validation ? _job.Validation! : _job.Train;
        var x = fetch.SampleIds.SelectMany(i => set.X.ToArray().Skip(i * 12).Take(12)).ToArray();
        var y = fetch.SampleIds.Select(i => set.Y.Span[i]).ToArray();
        var (xPart, yPart) = fetch.Validation ? (DataPart.ValidationX, DataPart.ValidationY) : (DataPart.TrainX, DataPart.TrainY);
        plane.Send(Frame.Samples(fetch.Ticket, (byte)xPart, 0, x.Length), x, 0);
        plane.Send(Frame.Samples(fetch.Ticket, (byte)yPart, 0, y.Length), y, 0);
    }

    private static void Send(IFrameSender plane, DataPart part, ReadOnlyMemory<float> values) => plane.Send(Frame.Data((byte)part, 0, values.Length), values, 0);

    /// <summary>The job's whole dataset, each part in one segment.</summary>
    private void SendData(IFrameSender plane)
    {
        Send(plane, DataPart.TrainX, _job.Train.X);
        Send(plane, DataPart.TrainY, _job.Train.Y);
        Send(plane, DataPart.ValidationX, _job.Validation!.X);
        Send(plane, DataPart.ValidationY, _job.Validation.Y);
    }

    /// <summary>The initial weights as version <paramref name="version"/>, their one segment placed at <paramref name="offset"/>.</summary>
    private void SendWeights(IFrameSender plane, long version, long offset)
        => plane.Send(Frame.Weights(version, offset, _job.InitialWeights.Length), _job.InitialWeights, 0);

    /// <summary>Every group of the minibatch computed in one engine call: group k's gradient and loss.</summary>
    private (float[][] Gradients, LossSums[] Losses) EngineGroups(int[] minibatch, int epoch)
    {
        var engine = new GradientEngine(new Network(_job.Model), _job.Training.Loss, 0);
        var t = _job.Train;
        var x = minibatch.SelectMany(i => t.X.ToArray().Skip(i * 12).Take(12)).ToArray();
        var y = minibatch.Select(i => t.Y.Span[i]).ToArray();
        var gradients = Enumerable.Range(0, 3).Select(_ => new float[_job.InitialWeights.Length]).ToArray();
        var losses = new LossSums[3];
        engine.ComputeGroups(_job.InitialWeights, new ShardInput(x, y, minibatch, 6, 6), 2, 1f / 6,
            new DropoutKey(_job.Training.Seed, epoch), gradients, losses);
        return (gradients, losses);
    }

    /// <summary>The root of the tree over the 3 groups of the 5 validation samples, from the engine run directly.</summary>
    private PartialSum[] ValidationRoot()
    {
        var engine = new GradientEngine(new Network(_job.Model), _job.Training.Loss, 0);
        var losses = new LossSums[3];
        var v = _job.Validation!;
        engine.EvaluateGroups(_job.InitialWeights, new ShardInput(v.X.ToArray(), v.Y.ToArray(), [0, 1, 2, 3, 4], 5, 6), 2, losses);
        return [new PartialSum(2, 0, (losses[0] + losses[1]) + losses[2])];
    }

    /// <summary>The test's end of the data plane: keeps every frame sent to it, with its values.</summary>
    private sealed class RecordingSink : IFrameSink
    {
        private readonly ConcurrentQueue<(Frame Frame, float[] Values)> _frames = new();

        public IReadOnlyCollection<(Frame Frame, float[] Values)> Frames => _frames;

        public float[] Values(TreeNode node) => _frames.Single(f => f.Frame.Level == node.Level && f.Frame.Index == node.Index).Values;

        public FrameTarget Open(in Frame frame, int senderId) => new(new float[frame.Count], 0);

        public void Commit(in Frame frame, FrameTarget target, bool landed)
        {
            if (landed) _frames.Enqueue((frame, target.Buffer!));
        }

        public void Refused(int senderId, string reason) => throw new InvalidOperationException($"the test's sink refuses nothing: {reason}");
    }
}
