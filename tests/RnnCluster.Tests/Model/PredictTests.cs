using Rnn.Math.Config;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using static RnnCluster.Tests.Model.ModelFactory;

namespace RnnCluster.Tests.Model;

/// <summary>Inference: output shapes, the softmax head, and agreement with the training loss.</summary>
public class PredictTests
{
    [Fact]
    public void SoftmaxHeadWithCrossEntropy_PredictsProbabilitiesOfTheLinearLogits()
    {
        var network = Build(2, Dense(3, Activation.Softmax));
        var parameters = Parameters(network, 3);
        float[] x = [0.5f, -1f, 2f, 0.25f];   // n = 1, T = 2, I = 2
        var output = new float[6];
        new GradientEngine(network, LossKind.CrossEntropy, 0).Predict(parameters, x, 1, 2, output);

        for (int t = 0; t < 2; t++)
        {
            var logits = new double[3];
            for (int o = 0; o < 3; o++)
                logits[o] = parameters[6 + o] + parameters[o * 2] * x[t * 2] + parameters[o * 2 + 1] * x[t * 2 + 1];
            double sum = logits.Sum(System.Math.Exp);
            for (int o = 0; o < 3; o++)
                Assert.Equal(System.Math.Exp(logits[o]) / sum, output[t * 3 + o], 1e-6);
        }
    }

    [Fact]
    public void ManyToMany_IsCausal_ThePrefixPredictsTheSameFirstSteps()
    {
        var network = Build(2, Lstm(4, sequences: true), Gru(3, sequences: true), Dense(2));
        var engine = new GradientEngine(network, LossKind.Mse, 0);
        var parameters = Parameters(network, 4);
        int n = 3, T = 6, prefix = 3;
        var x = Uniform(n * T * 2, 9, 1f);
        var prefixX = Enumerable.Range(0, n).SelectMany(s => x.Skip(s * T * 2).Take(prefix * 2)).ToArray();
        var full = new float[n * T * 2];
        var partial = new float[n * prefix * 2];
        engine.Predict(parameters, x, n, T, full);
        engine.Predict(parameters, prefixX, n, prefix, partial);
        for (int s = 0; s < n; s++)
            Assert.Equal(full.AsSpan(s * T * 2, prefix * 2).ToArray(), partial.AsSpan(s * prefix * 2, prefix * 2).ToArray());
    }

    [Fact]
    public void EvaluatedLoss_IsTheSquaredErrorOfThePredictions()
    {
        var network = Build(2, Gru(4), Dropout(0.5f), Dense(2));
        var engine = new GradientEngine(network, LossKind.Mse, 0);
        var parameters = Parameters(network, 6);
        var shard = Shard(network, LossKind.Mse, n: 5, timesteps: 3, seed: 2);
        var predictions = new float[5 * 2];
        engine.Predict(parameters, shard.X, 5, 3, predictions);
        var losses = new LossSums[2];
        engine.EvaluateGroups(parameters, shard, 3, losses);
        double expected = predictions.Zip(shard.Y, (p, y) => (double)(p - y) * (p - y)).Sum();
        Assert.Equal(expected, losses[0].Loss + losses[1].Loss, 1e-9);
    }
}
