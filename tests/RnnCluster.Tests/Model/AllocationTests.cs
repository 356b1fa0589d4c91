using Rnn.Math.Config;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;
using static RnnCluster.Tests.Model.ModelFactory;

namespace RnnCluster.Tests.Model;

/// <summary>The engine's scratch buffers are reused: once warmed up on a shard size, training allocates nothing.</summary>
public class AllocationTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void ComputeGroups_AfterTheFirstCall_AllocatesNothing(int truncatedBptt)
    {
        var network = Build(3, Lstm(6, sequences: true), Dropout(0.2f), Gru(5, sequences: true), TanhRnn(4), Dense(2, Activation.Softmax));
        var engine = new GradientEngine(network, LossKind.CrossEntropy, truncatedBptt);
        var parameters = Parameters(network, 1);
        var shard = Shard(network, LossKind.CrossEntropy, n: 7, timesteps: 8, seed: 3);
        var gradients = Enumerable.Range(0, 3).Select(_ => new float[network.ParameterCount]).ToArray();
        var losses = new LossSums[3];
        var key = new DropoutKey(1, 0);
        engine.ComputeGroups(parameters, shard, 3, 0.01f, key, gradients, losses);

        long before = GC.GetAllocatedBytesForCurrentThread();
        engine.ComputeGroups(parameters, shard, 3, 0.01f, key, gradients, losses);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
