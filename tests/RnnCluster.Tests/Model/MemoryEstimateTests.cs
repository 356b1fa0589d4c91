using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;

namespace RnnCluster.Tests.Model;

/// <summary>The sizes the memory estimate is made of, held to what the code allocates.</summary>
public class MemoryEstimateTests
{
    public static TheoryData<LayerConfig> Recurrent => new() { new LstmConfig(48, true), new GruConfig(48, true), new RnnConfig(48, true) };

    [Theory]
    [MemberData(nameof(Recurrent))]
    public void An_engines_buffers_are_what_its_first_training_pass_allocates(LayerConfig recurrent)
    {
        var network = new Network(new ModelConfig(3, [recurrent, new DropoutConfig(0.2f), new DenseConfig(5, Activation.Tanh)]));
        var engine = new GradientEngine(network, LossKind.Mse, 0);
        const int samples = 32, timesteps = 50, groupSize = 4;
        var random = new Random(7);
        var x = Enumerable.Range(0, samples * timesteps * 3).Select(_ => random.NextSingle()).ToArray();
        var y = Enumerable.Range(0, samples * timesteps * 5).Select(_ => random.NextSingle()).ToArray();
        var shard = new ShardInput(x, y, [.. Enumerable.Range(0, samples)], samples, timesteps);
        var gradients = Enumerable.Range(0, samples / groupSize).Select(_ => new float[network.ParameterCount]).ToArray();
        var losses = new LossSums[gradients.Length];
        var parameters = new float[network.ParameterCount];
        network.Initialize(parameters, 1);
        double estimate = engine.Buffers(samples, timesteps, training: true).Sum(b => b.Floats) * sizeof(float);

        long before = GC.GetAllocatedBytesForCurrentThread();
        engine.ComputeGroups(parameters, shard, groupSize, 1f, new DropoutKey(1, 0), gradients, losses);
        double allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // The buffers are nearly all of it. Besides them: small fixed costs (the GEMM's pooled block buffers, array
        // headers); and the estimate counts the first layer's input gradient, which a pass does not take.
        Assert.InRange(allocated / estimate, 0.95, 1.1);
    }
}
