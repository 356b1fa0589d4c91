using Akka.Actor;
using Akka.TestKit;
using Rnn.Math.Losses;
using RnnCluster.Coordinator.Actors;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.DataPlane;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Tests.Actors;

/// <summary>
/// Messages and data-plane frames that do not fit, from a worker and about a worker: the coordinator refuses them,
/// says so once, and the round is started again without the worker, on another worker when there is one; the step
/// is the one the undisturbed replies give (<see cref="CoordinatorProbeTests"/>). A worker whose frame was refused
/// gets the job again, since its connection was cut at that frame.
/// </summary>
public sealed class CoordinatorRefusalTests : CoordinatorProbeTests
{
    /// <summary>Worker A's reply to its request, made malformed in one way each.</summary>
    public static TheoryData<string> Faults => new()
    {
        "offset past the parameters",
        "tree node other than the root",
        "other tree nodes closed",
        "another job",
        "a round never started",
        "bytes no one could read",
        "validation losses in a training round",
        "a compute time that is not a number",
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void A_reply_that_does_not_fit_is_refused_once_and_the_round_is_computed_by_the_other_worker(string fault)
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        bool frame = Malformed(fault, a, coordinator, requestA);
        if (frame) ReceiveJob(a, coordinator);
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [2f, 20f]));

        var again = b.ExpectMsg<ComputeGradients>();
        Assert.Equal((requestA.RoundId + 1, 0, 4), (again.RoundId, again.FirstGroup, again.EndGroup));
        Reply(b, coordinator, again, new TreeNodeGradient(2, 0, [3f, 30f]));

        var note = client.ExpectMsg<MessageRefusedNote>();
        Assert.Contains("its shard of round 0 is re-issued", note.Description);
        Assert.Equal(1, client.ExpectMsg<StepCompleted>().Progress.Workers);
        Assert.Equal([0.5f - 3f, -0.25f - 30f], NextWeights(a));
    }

    [Fact]
    public void A_frame_past_the_parameters_is_named_with_its_offset()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, _) = FirstRound(a, b, coordinator);
        Malformed("offset past the parameters", a, coordinator, requestA);

        var note = client.ExpectMsg<MessageRefusedNote>();
        Assert.StartsWith($"refused a frame from worker {a.Ref.Path}: frame Partial part 0 tag 0 node (2, 0) offset 1 count 2: not a segment of a gradient (2 values);",
            note.Description);
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_worker_alone_gets_its_refused_shard_back_in_the_round_started_again()
    {
        var (a, client, coordinator, request) = Alone();
        coordinator.Tell(new GradientsComputed(request.JobId, request.RoundId, [new PartialSum(1, 0, new LossSums(1, 0, 0, 0))], 1), a.Ref);

        var again = a.ExpectMsg<ComputeGradients>();
        Assert.Equal((request.RoundId + 1, 0, 4), (again.RoundId, again.FirstGroup, again.EndGroup));
        Reply(a, coordinator, again, new TreeNodeGradient(2, 0, [1f, 1f]));
        client.ExpectMsg<MessageRefusedNote>();
        client.ExpectMsg<StepCompleted>();
    }

    [Fact]
    public void A_worker_whose_frame_was_refused_gets_the_job_again_and_its_next_answer_counts()
    {
        var (a, client, coordinator, request) = Alone();
        // A root whose values would land past the gradient's end: the connection is cut there, and nothing of it is kept.
        SendFrame(a, Frame.Partial(request.RoundId, 2, 0, 1, 2), [7f, 70f]);

        ReceiveJob(a, coordinator);
        NextWeights(a);
        var again = a.ExpectMsg<ComputeGradients>();
        Reply(a, coordinator, again, new TreeNodeGradient(2, 0, [1f, 1f]));

        Assert.StartsWith($"refused a frame from worker {a.Ref.Path}: ", client.ExpectMsg<MessageRefusedNote>().Description);
        client.ExpectMsg<StepCompleted>();
        Assert.Equal([0.5f - 1f, -0.25f - 1f], NextWeights(a));
    }

    [Fact]
    public void A_worker_that_refused_what_it_was_sent_gets_the_job_and_the_weights_again()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        const string reason = "frame Weights part 0 tag 0 node (0, 0) offset 9 count 2: not a segment of the weights (2 values)";
        coordinator.Tell(new FrameRefused(requestA.JobId, StartJob.CoordinatorId, reason), a.Ref);

        ReceiveJob(a, coordinator);
        var again = b.ExpectMsg<ComputeGradients>();
        Assert.Equal((requestB.RoundId + 1, 0, 4), (again.RoundId, again.FirstGroup, again.EndGroup));
        Reply(b, coordinator, again, new TreeNodeGradient(2, 0, [3f, 30f]));

        Assert.Equal($"worker {a.Ref.Path} refused {reason}; it gets the job again; its shard of round 0 is re-issued",
            client.ExpectMsg<MessageRefusedNote>().Description);
        client.ExpectMsg<StepCompleted>();
        Assert.Equal([0.5f - 3f, -0.25f - 30f], NextWeights(a));
    }

    [Fact]
    public void A_worker_that_cannot_hold_the_job_gets_nothing_of_it_and_another_trains()
    {
        var (a, b, client, coordinator) = Start(minWorkers: 1);
        coordinator.Tell(new WorkerJoined(a.Ref));
        var job = a.ExpectMsg<StartJob>();
        coordinator.Tell(new JobRefused(job.JobId, "it needs about 3.0 TB on a worker"), a.Ref);
        Assert.Equal(new WorkerRefusedJob(a.Ref.Path.ToString(), "it needs about 3.0 TB on a worker"), client.ExpectMsg<WorkerRefusedJob>());

        coordinator.Tell(new WorkerJoined(b.Ref));
        ReceiveJob(b, coordinator);
        NextWeights(b);
        var request = b.ExpectMsg<ComputeGradients>();
        Assert.Equal((0, 4), (request.FirstGroup, request.EndGroup));
        coordinator.Tell(new DataReceived(job.JobId), a.Ref);
        a.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void With_every_worker_refusing_the_job_the_run_fails_after_the_deadline_saying_why()
    {
        var client = CreateTestProbe();
        var a = CreateTestProbe();
        var coordinator = Sys.ActorOf(CoordinatorActor.Props(Job(), client.Ref,
            new CoordinatorSettings(MinWorkers: 1) { WorkersLostDeadline = TimeSpan.FromMilliseconds(300) }));
        coordinator.Tell(new WorkerJoined(a.Ref));
        var job = a.ExpectMsg<StartJob>();
        coordinator.Tell(new JobRefused(job.JobId, "it needs about 3.0 TB on a worker"), a.Ref);

        var failed = client.FishForMessage<TrainingFailed>(_ => true, TimeSpan.FromSeconds(5));
        Assert.Contains($"worker {a.Ref.Path} refused the job: it needs about 3.0 TB on a worker", failed.Cause.Message);
    }

    /// <summary>Worker A alone: it takes the job and the weights, and holds the whole first request.</summary>
    private (TestProbe A, TestProbe Client, IActorRef Coordinator, ComputeGradients Request) Alone()
    {
        var (a, _, client, coordinator) = Start(minWorkers: 1);
        coordinator.Tell(new WorkerJoined(a.Ref));
        ReceiveJob(a, coordinator);
        NextWeights(a);
        return (a, client, coordinator, a.ExpectMsg<ComputeGradients>());
    }

    /// <summary>Sends A's reply made malformed by <paramref name="fault"/>; true when the fault is a data-plane frame, which gets A the job again.</summary>
    private bool Malformed(string fault, TestProbe a, IActorRef coordinator, ComputeGradients request)
    {
        var (job, round) = (request.JobId, request.RoundId);
        var closing = new GradientsComputed(job, round, [new PartialSum(1, 0, new LossSums(1, 0, 0, 0))], 1);
        object? message = fault switch
        {
            "other tree nodes closed" => closing with { Partials = [new PartialSum(0, 0, new LossSums(1, 0, 0, 0)), new PartialSum(0, 1, new LossSums(1, 0, 0, 0))] },
            "another job" => closing with { JobId = Guid.NewGuid() },
            "a round never started" => closing with { RoundId = 99 },
            "bytes no one could read" => new UndecodableMessage("control", job, "SerializationException: unknown type index 99"),
            "validation losses in a training round" => new ValidationLossComputed(job, round, [new PartialSum(1, 0, new LossSums(1, 0, 0, 0))], 1),
            "a compute time that is not a number" => closing with { ComputeMs = double.NaN },
            _ => null,
        };
        if (message is not null)
        {
            coordinator.Tell(message, a.Ref);
            return false;
        }
        var frame = fault switch
        {
            "offset past the parameters" => Frame.Partial(round, 2, 0, 1, 2),
            "tree node other than the root" => Frame.Partial(round, 1, 0, 0, 2),
            _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "no such fault"),
        };
        SendFrame(a, frame, [1f, 10f]);
        return true;
    }
}
