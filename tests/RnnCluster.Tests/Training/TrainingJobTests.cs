using Rnn.Math.LayerTypes;
using Rnn.Math.Model;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;

namespace RnnCluster.Tests.Training;

/// <summary>A job carries the network its caller built: the coordinator's side of a run builds it once.</summary>
public class TrainingJobTests
{
    [Fact]
    public void A_job_keeps_the_network_it_was_created_with_until_it_is_given_another_model()
    {
        var template = TestJobs.StackedLstmGru();
        var network = new Network(template.Model);
        var job = TrainingJob.Create(template.Model, template.Training, template.Train, template.Validation, network: network);

        Assert.Same(network, job.Network);
        Assert.Same(network, (job with { Training = job.Training with { Epochs = 9 } }).Network);
        var wider = job with { Model = job.Model with { Layers = [new LstmConfig(9, ReturnSequences: true), .. job.Model.Layers.Skip(1)] } };
        Assert.NotSame(network, wider.Network);
        Assert.Equal(new Network(wider.Model).ParameterCount, wider.Network.ParameterCount);
        Assert.NotEqual(network.ParameterCount, wider.Network.ParameterCount);
    }
}
