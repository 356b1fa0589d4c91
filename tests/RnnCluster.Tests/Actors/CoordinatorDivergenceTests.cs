using RnnCluster.Coordinator.Actors;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Tests.Actors;

/// <summary>
/// What the coordinator does with a loss, gradient or update that is not finite: the step is skipped and the
/// weights stay, and training.maxBadSteps skips in a row end the run as diverged (<see cref="CoordinatorProbeTests"/>).
/// </summary>
public sealed class CoordinatorDivergenceTests : CoordinatorProbeTests
{
    [Fact]
    public void A_gradient_that_is_not_finite_skips_the_step_and_the_next_round_gets_the_same_weights()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [1f, float.NaN]));
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [2f, 20f]));

        var skipped = client.ExpectMsg<StepSkipped>().Skip;
        Assert.Equal((1L, 1, 1, 2, 1, 5), (skipped.Step, skipped.Epoch, skipped.Minibatch, skipped.Minibatches, skipped.InARow, skipped.MaxInARow));
        Assert.Equal("the gradient has NaN in layers.0.bias", skipped.Reason);
        Assert.Equal(Initial, NextWeights(a));
        Assert.Equal(Initial, NextWeights(b));
    }

    [Fact]
    public void A_loss_that_is_not_finite_skips_the_step()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [1f, 10f]), loss: double.PositiveInfinity);
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [2f, 20f]));

        Assert.Equal("the loss is infinity", client.ExpectMsg<StepSkipped>().Skip.Reason);
        Assert.Equal(Initial, NextWeights(a));
    }

    [Fact]
    public void An_update_that_would_overflow_the_weights_is_skipped_though_the_gradient_is_finite()
    {
        var (a, b, client, coordinator) = Start(Job(learningRate: 1e30f));
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [1e10f, 0f]));
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [0f, 0f]));

        Assert.Equal("the update would put -infinity in layers.0.weight", client.ExpectMsg<StepSkipped>().Skip.Reason);
        Assert.Equal(Initial, NextWeights(a));
    }

    [Fact]
    public void A_good_step_after_a_skip_starts_the_count_again()
    {
        var (a, b, client, coordinator) = Start(Job(maxBadSteps: 2, epochs: 2));
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        float[] expected = [.. Initial];
        for (int round = 0; round < 4; round++)
        {
            bool bad = round % 2 == 0;
            Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [bad ? float.PositiveInfinity : 1f, 1f]));
            Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [1f, 1f]));
            if (bad) Assert.Equal(1, client.ExpectMsg<StepSkipped>().Skip.InARow);
            else
            {
                client.ExpectMsg<StepCompleted>();
                expected = [expected[0] - 2f, expected[1] - 2f];
            }
            if (round % 2 == 1) client.ExpectMsg<EpochCompleted>();
            if (round == 3) break;
            Assert.Equal(expected, NextWeights(a));
            NextWeights(b);
            (requestA, requestB) = (a.ExpectMsg<ComputeGradients>(), b.ExpectMsg<ComputeGradients>());
        }
        Assert.Equal(expected, client.ExpectMsg<TrainingFinished>().State.Weights);
    }

    [Fact]
    public void The_epoch_loss_leaves_out_the_samples_of_a_skipped_step_and_counts_it()
    {
        var (a, b, client, coordinator) = Start();
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [float.NaN, 0f]), loss: 100);
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [0f, 0f]), loss: 100);
        client.ExpectMsg<StepSkipped>();
        NextWeights(a);
        NextWeights(b);
        Reply(a, coordinator, a.ExpectMsg<ComputeGradients>(), new TreeNodeGradient(1, 0, [0f, 0f]), loss: 3);
        Reply(b, coordinator, b.ExpectMsg<ComputeGradients>(), new TreeNodeGradient(1, 1, [0f, 0f]), loss: 5);
        client.ExpectMsg<StepCompleted>();

        var epoch = client.ExpectMsg<EpochCompleted>().Metrics;
        Assert.Equal((8.0 / 8, 1), (epoch.Loss, epoch.SkippedSteps));
    }

    [Fact]
    public void Max_bad_steps_in_a_row_fail_the_run_as_diverged_at_that_step()
    {
        var (a, b, client, coordinator) = Start(Job(maxBadSteps: 2));
        var (requestA, requestB) = FirstRound(a, b, coordinator);
        Reply(a, coordinator, requestA, new TreeNodeGradient(1, 0, [float.NaN, 0f]));
        Reply(b, coordinator, requestB, new TreeNodeGradient(1, 1, [0f, 0f]));
        client.ExpectMsg<StepSkipped>();
        NextWeights(a);
        NextWeights(b);
        Reply(a, coordinator, a.ExpectMsg<ComputeGradients>(), new TreeNodeGradient(1, 0, [0f, 0f]));
        Reply(b, coordinator, b.ExpectMsg<ComputeGradients>(), new TreeNodeGradient(1, 1, [0f, float.NegativeInfinity]));

        Assert.Equal(2, client.ExpectMsg<StepSkipped>().Skip.InARow);
        var diverged = Assert.IsType<TrainingDivergedException>(client.ExpectMsg<TrainingFailed>().Cause);
        Assert.Equal((2L, 1, 0L), (diverged.Step, diverged.Epoch, diverged.LastGoodStep));
        Assert.StartsWith("training diverged at step 2 (epoch 1): steps 1 to 2, 2 in a row, were skipped", diverged.Message);
        Assert.EndsWith("the last: the gradient has -infinity in layers.0.bias", diverged.Message);
    }
}
