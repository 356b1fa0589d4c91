using Akka.Actor;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker;
using RnnCluster.Worker.Hosting;
using RnnCluster.Worker.Protocol;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Actors;

/// <summary>A worker driven by the test as its coordinator, checked against the engine run directly.</summary>
public sealed class WorkerActorTests : Akka.TestKit.Xunit2.TestKit
{
    private readonly TrainingJob _job = TestJobs.StackedLstmGru(trainSamples: 12, validationSamples: 5);
    private readonly StartJob _start;

    public WorkerActorTests() : base(ActorSystemSettings.Base)
    {
        _start = new StartJob(Guid.NewGuid(), _job.Model, _job.Training, new DataShape(12, 5, 6, 2, 1));
    }

    [Fact]
    public void It_reports_the_data_received_once_every_chunk_arrived()
    {
        var worker = Sys.ActorOf(WorkerActor.Props(threads: 1));
        worker.Tell(_start);
        worker.Tell(new DataChunk(_start.JobId, DataPart.TrainX, 0, _job.Train.X));
        worker.Tell(new DataChunk(_start.JobId, DataPart.TrainY, 0, _job.Train.Y));
        worker.Tell(new DataChunk(_start.JobId, DataPart.ValidationX, 0, _job.Validation!.X));
        ExpectNoMsg(TimeSpan.FromMilliseconds(100));
        worker.Tell(new DataChunk(_start.JobId, DataPart.ValidationY, 0, _job.Validation.Y));
        Assert.Equal(_start.JobId, ExpectMsg<DataReceived>().JobId);
    }

    [Fact]
    public void It_returns_the_tree_nodes_covering_its_groups_with_the_engines_sums()
    {
        var worker = Ready();
        int[] minibatch = [3, 7, 1, 0, 9, 4];
        worker.Tell(new ComputeGradients(_start.JobId, 5, 1, 0, minibatch.Length, 3, 1, 3, minibatch[2..]));

        var chunks = new[] { ExpectMsg<GradientChunk>(), ExpectMsg<GradientChunk>() };
        var done = ExpectMsg<GradientsComputed>();
        Assert.Equal([new PartialSum(0, 1, done.Partials[0].Loss), new PartialSum(1, 1, done.Partials[1].Loss)], done.Partials);

        var (gradients, losses) = EngineGroups(minibatch, epoch: 1);
        Assert.Equal(gradients[1], chunks[0].Values);
        Assert.Equal(gradients[2], chunks[1].Values);
        Assert.Equal([losses[1], losses[2]], done.Partials.Select(p => p.Loss));
    }

    [Fact]
    public void It_ignores_requests_of_another_job()
    {
        var worker = Ready();
        worker.Tell(new ComputeGradients(Guid.NewGuid(), 5, 1, 0, 2, 1, 0, 1, [0, 1]));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void It_returns_validation_loss_sums_along_the_tree()
    {
        var worker = Ready();
        worker.Tell(new ComputeValidationLoss(_start.JobId, 9, 0, 3, 0, 3));
        var done = ExpectMsg<ValidationLossComputed>();
        var engine = new GradientEngine(new Network(_job.Model), _job.Training.Loss, 0);
        var losses = new double[3];
        var v = _job.Validation!;
        engine.EvaluateGroups(_job.InitialWeights, new ShardInput(v.X, v.Y, [0, 1, 2, 3, 4], 5, 6), 2, losses);
        Assert.Equal([new PartialSum(2, 0, (losses[0] + losses[1]) + losses[2])], done.Partials);
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
        worker.Tell(new DataChunk(_start.JobId, DataPart.TrainX, 0, _job.Train.X));
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_model_whose_tensors_cannot_be_arrays_is_refused_naming_the_layer()
    {
        var worker = Sys.ActorOf(WorkerActor.Props(threads: 1));
        worker.Tell(_start with { Model = new Rnn.Math.Config.ModelConfig(2, [new LstmConfig(100_000), new DenseConfig(1)]) });
        Assert.StartsWith("model.layers[0].units: 100000 is too large: layers.0.weight_hh_l0 [400000, 100000]", ExpectMsg<JobRefused>().Reason);
    }

    [Fact]
    public void A_data_chunk_off_the_chunk_grid_is_refused_once_and_the_job_sent_again_is_taken()
    {
        var worker = Sys.ActorOf(WorkerActor.Props(threads: 1));
        worker.Tell(_start);
        worker.Tell(new DataChunk(_start.JobId, DataPart.TrainX, 5, _job.Train.X));
        worker.Tell(new DataChunk(_start.JobId, DataPart.TrainY, 0, _job.Train.Y[..^1]));

        var refused = ExpectMsg<MessageRefused>();
        Assert.Equal((_start.JobId, -1L), (refused.JobId, refused.RoundId));
        Assert.Equal($"DataChunk of TrainX: offset 5 is not a multiple of the chunk size {TensorChunks.ChunkFloats}", refused.Reason);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Ready(worker);
    }

    [Fact]
    public void A_data_chunk_shorter_than_its_slice_is_refused()
    {
        var worker = Sys.ActorOf(WorkerActor.Props(threads: 1));
        worker.Tell(_start);
        worker.Tell(new DataChunk(_start.JobId, DataPart.TrainY, 0, _job.Train.Y[..^1]));
        Assert.Equal("DataChunk of TrainY: 11 values at offset 0, expected 12", ExpectMsg<MessageRefused>().Reason);
    }

    [Fact]
    public void A_weights_chunk_past_the_parameters_is_refused_and_the_request_after_it_is_not_computed()
    {
        var worker = Ready(weights: false);
        worker.Tell(new WeightsChunk(_start.JobId, 0, TensorChunks.ChunkFloats, _job.InitialWeights));
        worker.Tell(new ComputeGradients(_start.JobId, 5, 1, 0, 2, 1, 0, 1, [0, 1]));

        Assert.Equal($"WeightsChunk of version 0: offset {TensorChunks.ChunkFloats} lies outside its {_job.InitialWeights.Length} values", ExpectMsg<MessageRefused>().Reason);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_request_for_samples_that_do_not_exist_is_refused_rather_than_failed()
    {
        var worker = Ready();
        worker.Tell(new ComputeGradients(_start.JobId, 5, 1, 0, 2, 1, 0, 1, [0, 99]));
        var refused = ExpectMsg<MessageRefused>();
        Assert.Equal((5L, "sample id 99, outside the 12 training samples"), (refused.RoundId, refused.Reason));
    }

    [Fact]
    public void A_request_for_weights_it_does_not_hold_is_refused_rather_than_left_unanswered()
    {
        var worker = Ready();
        worker.Tell(new ComputeValidationLoss(_start.JobId, 9, 7, 3, 0, 3));
        Assert.Equal("asked for weights 7, holds 0", ExpectMsg<MessageRefused>().Reason);
    }

    [Fact]
    public void A_message_it_could_not_read_is_refused_naming_why()
    {
        var worker = Ready();
        worker.Tell(new UndecodableMessage("WC", _start.JobId, "wire format version 9, this node speaks 3: run the same build everywhere"));
        Assert.Equal("a WC message it could not read: wire format version 9, this node speaks 3: run the same build everywhere",
            ExpectMsg<MessageRefused>().Reason);
    }

    [Fact]
    public void The_test_hook_sends_every_gradient_chunk_of_its_round_past_the_parameters_once()
    {
        var worker = Ready(Sys.ActorOf(WorkerActor.Props(threads: 1, new TestFaults(GradientOffsetRound: 5))));
        var request = new ComputeGradients(_start.JobId, 5, 1, 0, 2, 1, 0, 1, [0, 1]);
        worker.Tell(request);
        Assert.Equal(_job.InitialWeights.Length, ExpectMsg<GradientChunk>().Offset);
        ExpectMsg<GradientsComputed>();
        worker.Tell(request);
        Assert.Equal(0, ExpectMsg<GradientChunk>().Offset);
    }

    private IActorRef Ready(IActorRef? worker = null, bool weights = true)
    {
        worker ??= Sys.ActorOf(WorkerActor.Props(threads: 1));
        worker.Tell(_start);
        worker.Tell(new DataChunk(_start.JobId, DataPart.TrainX, 0, _job.Train.X));
        worker.Tell(new DataChunk(_start.JobId, DataPart.TrainY, 0, _job.Train.Y));
        worker.Tell(new DataChunk(_start.JobId, DataPart.ValidationX, 0, _job.Validation!.X));
        worker.Tell(new DataChunk(_start.JobId, DataPart.ValidationY, 0, _job.Validation.Y));
        ExpectMsg<DataReceived>();
        if (weights) worker.Tell(new WeightsChunk(_start.JobId, 0, 0, _job.InitialWeights));
        return worker;
    }

    /// <summary>Every group of the minibatch computed in one engine call: group k's gradient and loss.</summary>
    private (float[][] Gradients, double[] Losses) EngineGroups(int[] minibatch, int epoch)
    {
        var engine = new GradientEngine(new Network(_job.Model), _job.Training.Loss, 0);
        var t = _job.Train;
        var x = minibatch.SelectMany(i => t.X.Skip(i * 12).Take(12)).ToArray();
        var y = minibatch.Select(i => t.Y[i]).ToArray();
        var gradients = Enumerable.Range(0, 3).Select(_ => new float[_job.InitialWeights.Length]).ToArray();
        var losses = new double[3];
        engine.ComputeGroups(_job.InitialWeights, new ShardInput(x, y, minibatch, 6, 6), 2, 1f / 6,
            new DropoutKey(_job.Training.Seed, epoch), gradients, losses);
        return (gradients, losses);
    }
}
