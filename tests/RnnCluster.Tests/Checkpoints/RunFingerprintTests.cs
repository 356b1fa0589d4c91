using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;

namespace RnnCluster.Tests.Checkpoints;

/// <summary>What a resume compares: every field that changes the results, and only those.</summary>
public class RunFingerprintTests
{
    [Fact]
    public void The_same_run_has_no_differences()
    {
        var job = TestJobs.StackedLstmGru();
        Assert.Empty(Of(job).Differences(Of(job)));
    }

    [Fact]
    public void More_epochs_is_the_same_run_extended()
    {
        var job = TestJobs.StackedLstmGru();
        Assert.Empty(Of(job).Differences(Of(job with { Training = job.Training with { Epochs = 50 } })));
    }

    [Fact]
    public void Another_max_bad_steps_is_the_same_run_stopping_elsewhere()
    {
        var job = TestJobs.StackedLstmGru();
        Assert.Empty(Of(job).Differences(Of(job with { Training = job.Training with { MaxBadSteps = 50 } })));
    }

    [Fact]
    public void A_changed_layer_width_is_named_with_both_values()
    {
        var job = TestJobs.StackedLstmGru();
        var wider = job with { Model = job.Model with { Layers = [new LstmConfig(9, ReturnSequences: true), .. job.Model.Layers.Skip(1)] } };

        Assert.Equal(["model.layers[0].units: 5 in the checkpoint, 9 now"], Of(job).Differences(Of(wider)));
    }

    [Fact]
    public void A_changed_learning_rate_is_named()
    {
        var job = TestJobs.StackedLstmGru();
        var faster = job with { Training = job.Training with { Optimizer = new OptimizerConfig(LearningRate: 0.5f) } };

        Assert.Contains(Of(job).Differences(Of(faster)), d => d.StartsWith("training.optimizer.learningRate: 0.01 in the checkpoint, 0.5 now"));
    }

    [Fact]
    public void Other_values_of_the_same_shape_are_other_data()
    {
        var job = TestJobs.StackedLstmGru();
        var other = job with { Train = TestJobs.RandomSet(job.Train.Samples, job.Train.Timesteps, job.Train.InputSize, 1, seed: 99) };

        Assert.Equal(["the data's values differ"], Of(job).Differences(Of(other)));
    }

    [Fact]
    public void Fewer_samples_are_named()
    {
        var job = TestJobs.StackedLstmGru();
        var fewer = TestJobs.StackedLstmGru(trainSamples: 30);

        Assert.Contains("data.train.samples: 37 in the checkpoint, 30 now", Of(job).Differences(Of(fewer)));
    }

    private static RunFingerprint Of(TrainingJob job) => RunFingerprint.Of(CheckpointFileTests.Config(job), job);
}
