using Akka.Actor;
using Akka.TestKit;
using RnnCluster.Coordinator.Actors;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Tests.Actors;

/// <summary>
/// Messages that do not fit, from a worker and about a worker: the coordinator refuses them, says so once, and
/// the shard is re-issued, to another worker when there is one; the step is the one the undisturbed replies give (<see cref="CoordinatorProbeTests"/>).
/// </summary>
public sealed class CoordinatorRefusalTests : CoordinatorProbeTests
{
    /// <summary>Worker A's reply to its request, made malformed in one way each.</summary>
    public static TheoryData<string> Faults => new()
    {
        "offset past the parameters",
        "tree node outside its shard",
        "chunk over values already received",
        "node closed with values missing",
        "other tree nodes closed",
        "another job",
        "a round never started",
        "bytes no one could read",
        "validation losses in a training round",
        "a compute time that is not a number",
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void A_reply_that_does_not_fit_is_refused_once_and_its_shard_is_computed_by_the_other_worker(string fault)
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        foreach (var message in Malformed(fault, requestA)) coordinator.Tell(message, a.Ref);
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [2f, 20f]));

        var reissued = b.ExpectMsg<ComputeGradients>();
        Assert.Equal((requestA.RoundId, requestA.FirstGroup, requestA.EndGroup), (reissued.RoundId, reissued.FirstGroup, reissued.EndGroup));
        Reply(b, coordinator, reissued, new TreeNodeGradient(1, 0, [1f, 10f]));

        var note = client.ExpectMsg<MessageRefusedNote>();
        Assert.Contains("its shard of round 0 is re-issued", note.Description);
        Assert.Equal(1, client.ExpectMsg<StepCompleted>().Progress.Workers);
        Assert.Equal([0.5f - 3f, -0.25f - 30f], NextWeights(a));
    }

    [Fact]
    public void A_chunk_past_the_parameters_is_named_with_its_offset()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, _) = FirstRound(a, b, coordinator);
        foreach (var message in Malformed("offset past the parameters", requestA)) coordinator.Tell(message, a.Ref);

        var note = client.ExpectMsg<MessageRefusedNote>();
        Assert.StartsWith($"refused a GradientChunk of round 0 from worker {a.Ref.Path}: 2 values at offset 1, outside the 2 parameters;", note.Description);
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
    }

    [Fact]
    public void A_worker_alone_gets_its_refused_shard_back()
    {
        var (a, client, coordinator, request) = Alone();
        coordinator.Tell(new GradientsComputed(request.JobId, request.RoundId, [new PartialSum(1, 0, 1)], 1), a.Ref);

        var again = a.ExpectMsg<ComputeGradients>();
        Assert.Equal((request.RoundId, request.FirstGroup, request.EndGroup), (again.RoundId, again.FirstGroup, again.EndGroup));
        Reply(a, coordinator, again, new TreeNodeGradient(2, 0, [1f, 1f]));
        client.ExpectMsg<MessageRefusedNote>();
        client.ExpectMsg<StepCompleted>();
    }

    [Fact]
    public void The_rest_of_a_refused_reply_is_dropped_and_not_taken_for_the_reply_to_the_shard_given_back()
    {
        var (a, client, coordinator, request) = Alone();
        // One reply, sent whole before the worker sees its shard given back: a chunk past the parameters, then
        // chunks and a closing that would fit the shard given back, but carry the values of the refused reply.
        coordinator.Tell(new GradientChunk(request.JobId, request.RoundId, 2, 0, 1, [7f, 70f]), a.Ref);
        Reply(a, coordinator, request, new TreeNodeGradient(2, 0, [5f, 50f]));

        var again = a.ExpectMsg<ComputeGradients>();
        Reply(a, coordinator, again, new TreeNodeGradient(2, 0, [1f, 1f]));

        Assert.StartsWith($"refused a GradientChunk of round 0 from worker {a.Ref.Path}: ", client.ExpectMsg<MessageRefusedNote>().Description);
        client.ExpectMsg<StepCompleted>();
        Assert.Equal([0.5f - 1f, -0.25f - 1f], NextWeights(a));
    }

    [Fact]
    public void A_worker_that_refused_what_it_was_sent_gets_the_job_and_the_weights_again_before_its_shard()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        coordinator.Tell(new MessageRefused(requestA.JobId, -1, "WeightsChunk of version 0: offset 9 lies outside its 2 values"), a.Ref);

        ReceiveJob(a, coordinator);
        Assert.Equal(Initial, NextWeights(a));
        var reissued = a.ExpectMsg<ComputeGradients>();
        Assert.Equal((requestA.RoundId, requestA.FirstGroup), (reissued.RoundId, reissued.FirstGroup));
        Reply(a, coordinator, reissued, new TreeNodeGradient(1, 0, [1f, 10f]));
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [2f, 20f]));

        Assert.Equal($"worker {a.Ref.Path} refused WeightsChunk of version 0: offset 9 lies outside its 2 values; " +
            "it gets the job again; its shard of round 0 is re-issued", client.ExpectMsg<MessageRefusedNote>().Description);
        client.ExpectMsg<StepCompleted>();
        Assert.Equal([0.5f - 3f, -0.25f - 30f], NextWeights(a));
    }

    [Fact]
    public void A_worker_that_cannot_hold_the_job_gets_nothing_of_it_and_another_trains()
    {
        var (a, b, client, coordinator) = Start(minWorkers: 1);
        coordinator.Tell(new WorkerJoined(a.Ref));
        var job = a.ExpectMsg<StartJob>();
        a.ExpectMsg<DataChunk>();
        a.ExpectMsg<DataChunk>();
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

    private static IEnumerable<object> Malformed(string fault, ComputeGradients request)
    {
        var (job, round) = (request.JobId, request.RoundId);
        GradientChunk Chunk(int level, int index, int offset, float[] values) => new(job, round, level, index, offset, values);
        GradientsComputed Closing(params PartialSum[] partials) => new(job, round, partials, 1);
        var closing = Closing(new PartialSum(1, 0, 1));
        return fault switch
        {
            "offset past the parameters" => [Chunk(1, 0, 1, [1f, 10f]), Chunk(1, 0, 1, [1f, 10f]), closing],
            "tree node outside its shard" => [Chunk(1, 1, 0, [1f, 10f]), closing],
            "chunk over values already received" => [Chunk(1, 0, 0, [1f, 10f]), Chunk(1, 0, 1, [10f]), closing],
            "node closed with values missing" => [Chunk(1, 0, 0, [1f]), closing],
            "other tree nodes closed" => [Chunk(1, 0, 0, [1f, 10f]), Closing(new PartialSum(0, 0, 1), new PartialSum(0, 1, 1))],
            "another job" => [new GradientChunk(Guid.NewGuid(), round, 1, 0, 0, [1f, 10f])],
            "a round never started" => [Chunk(1, 0, 0, [1f, 10f]) with { RoundId = 99 }],
            "bytes no one could read" => [new UndecodableMessage("GC", job, "wire format version 9, this node speaks 3")],
            "validation losses in a training round" => [Chunk(1, 0, 0, [1f, 10f]), new ValidationLossComputed(job, round, [new PartialSum(1, 0, 1)], 1)],
            "a compute time that is not a number" => [Chunk(1, 0, 0, [1f, 10f]), new GradientsComputed(job, round, [new PartialSum(1, 0, 1)], double.NaN)],
            _ => throw new ArgumentOutOfRangeException(nameof(fault), fault, "no such fault"),
        };
    }
}
