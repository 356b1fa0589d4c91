using Akka.Actor;
using Akka.TestKit;
using Rnn.Math.Config;
using RnnCluster.Coordinator.Actors;
using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Protocol;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Actors;

/// <summary>The coordinator driven by probes standing in for two workers (<see cref="CoordinatorProbeTests"/>).</summary>
public sealed class CoordinatorActorTests : CoordinatorProbeTests
{
    [Fact]
    public void Nothing_is_sent_until_the_minimum_number_of_workers_joined()
    {
        var (a, b, _, coordinator) = Start();
        coordinator.Tell(new WorkerJoined(a.Ref));
        a.ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        coordinator.Tell(new WorkerJoined(b.Ref));
        Assert.Equal(16, a.ExpectMsg<StartJob>().Shape.TrainSamples);
        b.ExpectMsg<StartJob>();
    }

    [Fact]
    public void Each_worker_gets_the_weights_then_a_contiguous_half_of_the_groups()
    {
        var (a, b, _, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Assert.Equal((0, 2, 4), (requestA.FirstGroup, requestA.EndGroup, requestA.GroupCount));
        Assert.Equal((2, 4, 4), (requestB.FirstGroup, requestB.EndGroup, requestB.GroupCount));
        Assert.Equal(8, requestA.SampleIds.Length + requestB.SampleIds.Length);
    }

    [Fact]
    public void The_step_subtracts_the_tree_sum_of_the_workers_partial_gradients()
    {
        var (a, b, _, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [1f, 10f]));
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [2f, 20f]));
        Assert.Equal([0.5f - 3f, -0.25f - 30f], NextWeights(a));
    }

    [Fact]
    public void A_duplicated_reply_is_counted_once()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [1f, 10f]));
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [1f, 10f]));
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [2f, 20f]));
        Assert.Equal([0.5f - 3f, -0.25f - 30f], NextWeights(a));
        client.ExpectMsg<StepCompleted>();
        client.ExpectNoMsg(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void A_late_reply_of_a_finished_round_is_ignored()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [1f, 10f]));
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [2f, 20f]));
        NextWeights(a);
        NextWeights(b);
        var secondA = a.ExpectMsg<ComputeGradients>();
        var secondB = b.ExpectMsg<ComputeGradients>();
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [100f, 100f]));
        Reply(a, coordinator, secondA, new TreeNodeGradient(1, 0, [1f, 1f]));
        Reply(b, coordinator, secondB, new TreeNodeGradient(1, 1, [1f, 1f]));
        client.ExpectMsg<StepCompleted>();
        client.ExpectMsg<StepCompleted>();
        client.ExpectMsg<EpochCompleted>();
        var finished = client.ExpectMsg<TrainingFinished>();
        Assert.Equal([0.5f - 3f - 2f, -0.25f - 30f - 2f], finished.State.Weights);
    }

    [Fact]
    public void Replies_in_any_order_give_the_same_step()
    {
        var (a, b, _, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [2f, 20f]));
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [1f, 10f]));
        Assert.Equal([0.5f - 3f, -0.25f - 30f], NextWeights(a));
    }

    [Fact]
    public void The_round_of_a_worker_that_died_starts_again_on_another_worker()
    {
        var (a, b, _, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [1f, 10f]));
        Watch(b.Ref);
        Sys.Stop(b.Ref);
        ExpectTerminated(b.Ref);
        var reassigned = a.ExpectMsg<ComputeGradients>();
        Assert.Equal((requestB.RoundId + 1, 0, 4), (reassigned.RoundId, reassigned.FirstGroup, reassigned.EndGroup));
    }

    [Fact]
    public void A_job_with_no_worker_left_past_the_deadline_fails()
    {
        var (a, b, client, _) = Start();
        var coordinator = Sys.ActorOf(CoordinatorActor.Props(Job(), client.Ref,
            Settings with { WorkersLostDeadline = TimeSpan.FromMilliseconds(300) }));
        FirstRound(a, b, coordinator);
        Sys.Stop(a.Ref);
        Sys.Stop(b.Ref);
        Assert.IsType<TimeoutException>(client.ExpectMsg<TrainingFailed>().Cause);
    }

    [Fact]
    public void A_job_that_fails_after_a_step_checkpoints_that_step_and_names_the_file()
    {
        using var temp = new TempFolder();
        var (a, b, client, _) = Start();
        var job = Job();
        var policy = new CheckpointPolicy(new CheckpointFolder(temp.Path), RunFingerprint.Of(Tests.Checkpoints.CheckpointFileTests.Config(job), job));
        var coordinator = Sys.ActorOf(CoordinatorActor.Props(job, client.Ref,
            Settings with { Checkpoints = policy, WorkersLostDeadline = TimeSpan.FromMilliseconds(300) }));
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [1f, 10f]));
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [2f, 20f]));
        client.ExpectMsg<StepCompleted>();

        Sys.Stop(a.Ref);
        Sys.Stop(b.Ref);

        var saved = client.ExpectMsg<CheckpointSaved>();
        var failed = client.ExpectMsg<TrainingFailed>();
        Assert.IsType<TimeoutException>(failed.Cause);
        Assert.Equal((saved.Path, 1L), (failed.Checkpoint, saved.Step));
        var checkpoint = CheckpointFile.Read(failed.Checkpoint!);
        Assert.Equal((0, 1, 1L), (checkpoint.Position.Epoch, checkpoint.Position.Minibatch, checkpoint.Position.Step));
        Assert.Equal([0.5f - 3f, -0.25f - 30f], checkpoint.State(new Rnn.Math.Model.Network(job.Model).Layout).Weights);
    }

    [Fact]
    public void The_epoch_loss_is_the_loss_sum_over_all_samples_and_targets()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [0f, 0f]), loss: 3);
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [0f, 0f]), loss: 5);
        NextWeights(a);
        NextWeights(b);
        Reply(a, coordinator, a.ExpectMsg<ComputeGradients>(), new TreeNodeGradient(1, 0, [0f, 0f]), loss: 4);
        Reply(b, coordinator, b.ExpectMsg<ComputeGradients>(), new TreeNodeGradient(1, 1, [0f, 0f]), loss: 0);
        Assert.Equal([8.0 / 8, 4.0 / 8], new[] { client.ExpectMsg<StepCompleted>(), client.ExpectMsg<StepCompleted>() }.Select(s => s.Progress.Loss));
        var epoch = client.ExpectMsg<EpochCompleted>().Metrics;
        Assert.Equal((1, 12.0 / 16), (epoch.Epoch, epoch.Loss));
    }

    [Fact]
    public void A_worker_that_computes_a_dead_workers_round_again_counts_once()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [0f, 0f]));
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [0f, 0f]));
        NextWeights(a);
        NextWeights(b);
        Reply(a, coordinator, a.ExpectMsg<ComputeGradients>(), new TreeNodeGradient(1, 0, [0f, 0f]));
        var secondB = b.ExpectMsg<ComputeGradients>();
        Sys.Stop(b.Ref);
        var reissued = a.ExpectMsg<ComputeGradients>();
        Assert.Equal((secondB.RoundId + 1, 0, 4), (reissued.RoundId, reissued.FirstGroup, reissued.EndGroup));
        Reply(a, coordinator, reissued, new TreeNodeGradient(2, 0, [0f, 0f]));

        Assert.Equal([2, 1], new[] { client.ExpectMsg<StepCompleted>(), client.ExpectMsg<StepCompleted>() }.Select(s => s.Progress.Workers));
        Assert.Equal(2, client.ExpectMsg<EpochCompleted>().Metrics.Workers);
    }

    [Fact]
    public void A_stop_drops_the_round_in_flight_and_hands_back_the_state_of_the_last_step()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [1f, 10f]));
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [2f, 20f]));
        client.ExpectMsg<StepCompleted>();
        NextWeights(a);
        Reply(a, coordinator, a.ExpectMsg<ComputeGradients>(), new TreeNodeGradient(1, 0, [100f, 100f]));

        coordinator.Tell(StopTraining.Instance);

        var stopped = client.ExpectMsg<TrainingStopped>();
        Assert.Equal((0, 1, 1L), (stopped.State.Epoch, stopped.State.Minibatch, stopped.State.Step));
        Assert.Equal([0.5f - 3f, -0.25f - 30f], stopped.State.Weights);
        Assert.Null(stopped.Checkpoint);
    }

    [Fact]
    public void While_waiting_for_workers_the_coordinator_says_so_on_each_change_and_again_after_a_while()
    {
        var client = CreateTestProbe();
        var coordinator = Sys.ActorOf(CoordinatorActor.Props(Job(), client.Ref,
            Settings with { WaitingReminder = TimeSpan.FromMilliseconds(300) }));
        Assert.Equal(new WaitingForWorkers(0, 2), client.ExpectMsg<WaitingForWorkers>());

        var a = CreateTestProbe();
        coordinator.Tell(new WorkerJoined(a.Ref));

        Assert.Equal(1, client.ExpectMsg<WorkerArrived>().Workers);
        Assert.Equal(new WaitingForWorkers(1, 2), client.ExpectMsg<WaitingForWorkers>());
        Assert.Equal(new WaitingForWorkers(1, 2), client.ExpectMsg<WaitingForWorkers>(TimeSpan.FromSeconds(5)));
    }
}
