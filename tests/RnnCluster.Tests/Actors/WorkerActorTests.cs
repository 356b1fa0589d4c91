using Akka.Actor;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker;
using RnnCluster.Worker.Hosting;
using RnnCluster.Worker.Protocol;

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

    private IActorRef Ready()
    {
        var worker = Sys.ActorOf(WorkerActor.Props(threads: 1));
        worker.Tell(_start);
        worker.Tell(new DataChunk(_start.JobId, DataPart.TrainX, 0, _job.Train.X));
        worker.Tell(new DataChunk(_start.JobId, DataPart.TrainY, 0, _job.Train.Y));
        worker.Tell(new DataChunk(_start.JobId, DataPart.ValidationX, 0, _job.Validation!.X));
        worker.Tell(new DataChunk(_start.JobId, DataPart.ValidationY, 0, _job.Validation.Y));
        ExpectMsg<DataReceived>();
        worker.Tell(new WeightsChunk(_start.JobId, 0, 0, _job.InitialWeights));
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
