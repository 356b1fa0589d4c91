using Akka.Actor;
using Rnn.Math.Losses;
using RnnCluster.Coordinator.Actors;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Tests.Actors;

/// <summary>
/// Failover inside one training round, with probes standing in for the workers. A training round's partial sums
/// pass from worker to worker, so a shard cannot change hands alone: an unreachable worker's round starts again at
/// once on the workers usable, a late one after its pace's allowance when a worker is idle; an answer to the round
/// started again is dropped, whoever sends it, and the bits are those of the undisturbed round. A worker comes back
/// into use when it is reachable and free again; shards follow the workers' measured speed.
/// </summary>
public sealed class FailoverTests : CoordinatorProbeTests
{
    private static readonly TreeNodeGradient LeftHalf = new(1, 0, [1f, 10f]);
    private static readonly TreeNodeGradient RightHalf = new(1, 1, [2f, 20f]);
    private static readonly TreeNodeGradient Whole = new(2, 0, [3f, 30f]);
    private static readonly TreeNodeGradient WrongRightHalf = new(1, 1, [500f, 500f]);
    private static readonly float[] AfterFirstStep = [0.5f - 3f, -0.25f - 30f];

    [Fact]
    public void An_unreachable_workers_round_starts_again_at_once_on_an_idle_worker()
    {
        var (a, b, client, coordinator) = Start();
        HearFailover(client);
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, LeftHalf);

        coordinator.Tell(new WorkerUnreachable(b.Ref));

        var again = a.ExpectMsg<ComputeGradients>();
        Assert.Equal((requestB.RoundId + 1, 0, 4), (again.RoundId, again.FirstGroup, again.EndGroup));
        var lost = client.ExpectMsg<WorkerLost>();
        Assert.Equal((b.Ref.Path.Address.ToString(), 1, 2), (lost.Address, lost.Reachable, lost.Workers));
        var reissue = client.ExpectMsg<ShardReissued>().Reissue;
        Assert.Equal((ReissueCause.Unreachable, 2, 4), (reissue.Cause, reissue.FirstGroup, reissue.EndGroup));
        Assert.Equal([a.Ref.Path.Address.ToString()], reissue.To);
    }

    [Fact]
    public void A_round_whose_holders_answered_but_whose_root_never_came_starts_again_once_its_wait_is_over()
    {
        var (a, b, client, coordinator) = Start(settings: Settings with { RootWait = TimeSpan.FromMilliseconds(300) });
        HearFailover(client);
        var (requestA, requestB) = FirstRound(a, b, coordinator);

        // Both say their sums went on; the root frame that should follow never reaches the coordinator.
        coordinator.Tell(new GradientsComputed(requestA.JobId, requestA.RoundId, [new PartialSum(LeftHalf.Level, LeftHalf.Index, new LossSums(1, 0, 0, 0))], 1), a.Ref);
        coordinator.Tell(new GradientsComputed(requestB.JobId, requestB.RoundId, [new PartialSum(RightHalf.Level, RightHalf.Index, new LossSums(1, 0, 0, 0))], 1), b.Ref);

        var reissue = client.ExpectMsg<ShardReissued>(TimeSpan.FromSeconds(10)).Reissue;
        Assert.Equal((ReissueCause.RootMissing, 0, 4, 2), (reissue.Cause, reissue.FirstGroup, reissue.EndGroup, reissue.To.Count));
        var (againA, againB) = (a.ExpectMsg<ComputeGradients>(), b.ExpectMsg<ComputeGradients>());
        Assert.Equal(requestB.RoundId + 1, againA.RoundId);
        Assert.Equal(againA.RoundId, againB.RoundId);

        Reply(a, coordinator, againA, LeftHalf);
        Reply(b, coordinator, againB, RightHalf);
        Assert.Equal(AfterFirstStep, NextWeights(a));
    }

    [Fact]
    public void An_answer_to_the_round_started_again_is_dropped_and_the_new_rounds_answer_counts()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, LeftHalf);
        coordinator.Tell(new WorkerUnreachable(b.Ref));
        var again = a.ExpectMsg<ComputeGradients>();

        coordinator.Tell(new WorkerReachable(b.Ref));
        Reply(b, coordinator, requestB, WrongRightHalf);
        Reply(a, coordinator, again, Whole);

        Assert.Equal(AfterFirstStep, NextWeights(a));
        Assert.Equal(1, client.ExpectMsg<StepCompleted>().Progress.Workers);
    }

    [Fact]
    public void The_new_round_counts_when_it_answers_first_and_the_old_rounds_answer_is_dropped()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, LeftHalf);
        coordinator.Tell(new WorkerUnreachable(b.Ref));
        var again = a.ExpectMsg<ComputeGradients>();

        Reply(a, coordinator, again, Whole);
        coordinator.Tell(new WorkerReachable(b.Ref));
        Reply(b, coordinator, requestB, WrongRightHalf);

        Assert.Equal(AfterFirstStep, NextWeights(a));
        Assert.Equal(1, client.ExpectMsg<StepCompleted>().Progress.Workers);
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void A_worker_late_on_its_shard_gets_nothing_new_until_it_answers()
    {
        var (a, b, _, coordinator) = Start(settings: Settings with { LateFloor = TimeSpan.FromMilliseconds(200) });
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, LeftHalf);
        Reply(a, coordinator, a.ExpectMsg<ComputeGradients>(TimeSpan.FromSeconds(5)), Whole);

        NextWeights(a);
        var second = a.ExpectMsg<ComputeGradients>();
        Assert.Equal((0, 4), (second.FirstGroup, second.EndGroup));
        b.ExpectNoMsg(TimeSpan.FromMilliseconds(300));

        Reply(b, coordinator, requestB, WrongRightHalf);

        NextWeights(b);
        var again = b.ExpectMsg<ComputeGradients>(TimeSpan.FromSeconds(5), "free again, it takes the round in flight, started again without its late holder");
        Assert.Equal((second.RoundId + 1, 0, 4), (again.RoundId, again.FirstGroup, again.EndGroup));
    }

    [Fact]
    public void A_worker_left_out_of_a_round_started_again_takes_part_in_the_next_round_at_once()
    {
        var (a, b, _, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, LeftHalf);
        coordinator.Tell(new WorkerUnreachable(b.Ref));
        var again = a.ExpectMsg<ComputeGradients>();
        coordinator.Tell(new WorkerReachable(b.Ref));

        Reply(b, coordinator, requestB, RightHalf);
        Reply(a, coordinator, again, Whole);

        Assert.Equal(AfterFirstStep, NextWeights(a));
        Assert.Equal(again.RoundId + 1, a.ExpectMsg<ComputeGradients>().RoundId);
        NextWeights(b);
        Assert.Equal(again.RoundId + 1, b.ExpectMsg<ComputeGradients>().RoundId);
    }

    [Fact]
    public void A_late_shards_round_starts_again_on_an_idle_worker_once_its_holders_pace_allows_no_more()
    {
        var (a, b, client, coordinator) = Start(settings: Settings with { LateMultiple = 1.5, LateFloor = TimeSpan.FromMilliseconds(200) });
        HearFailover(client);
        var (requestA, _) = FirstRound(a, b, coordinator);

        Reply(a, coordinator, requestA, LeftHalf);
        var again = a.ExpectMsg<ComputeGradients>(TimeSpan.FromSeconds(5));

        Assert.Equal((requestA.RoundId + 1, 0, 4), (again.RoundId, again.FirstGroup, again.EndGroup));
        var reissue = client.ExpectMsg<ShardReissued>().Reissue;
        Assert.Equal((ReissueCause.Late, 2, 4), (reissue.Cause, reissue.FirstGroup, reissue.EndGroup));
        Assert.True(reissue.WaitedSec >= reissue.AllowedSec && reissue.AllowedSec >= 0.2, $"waited {reissue.WaitedSec} s of {reissue.AllowedSec} s");
    }

    [Fact]
    public void Shards_follow_the_speed_each_worker_reported()
    {
        var (a, b, _, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, LeftHalf, computeMs: 1);
        Reply(b, coordinator, requestB, RightHalf, computeMs: 3);
        NextWeights(a);
        NextWeights(b);

        var (faster, slower) = (a.ExpectMsg<ComputeGradients>(), b.ExpectMsg<ComputeGradients>());

        Assert.Equal((0, 3, 3, 4), (faster.FirstGroup, faster.EndGroup, slower.FirstGroup, slower.EndGroup));
    }
}
