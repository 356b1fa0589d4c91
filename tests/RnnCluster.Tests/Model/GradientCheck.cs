using Rnn.Math.Config;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;

namespace RnnCluster.Tests.Model;

/// <summary>
/// The engine's gradient against central differences of the loss it returns. The loss is summed in double from a
/// float forward pass, so its rounding noise is about 1e-7 of its size; with step h = 1e-2 and the fourth-order
/// stencil (8(L(+h) - L(-h)) - (L(+2h) - L(-2h))) / 12h that noise costs ~1e-5 and the truncation error is O(h⁴)
/// ~1e-8. Hence the tolerance: |analytic - numeric| ≤ 1e-4 + 1e-3 |numeric|. A kinked function (relu, mae) takes a
/// smaller step so the stencil does not straddle a kink.
/// </summary>
internal static class GradientCheck
{
    public const double Step = 1e-2, AbsoluteTolerance = 1e-4, RelativeTolerance = 1e-3;

    public static void AssertMatchesFiniteDifferences(Network network, LossKind loss, ShardInput shard,
        ulong seed = 1, DropoutKey? dropout = null, int truncatedBptt = 0, double step = Step)
    {
        var engine = new GradientEngine(network, loss, truncatedBptt);
        var parameters = ModelFactory.Parameters(network, seed);
        float scale = 1f / (shard.Count * engine.LossTermsPerSample(shard.Timesteps));
        var analytic = Gradient(engine, parameters, shard, scale, dropout, out _);

        double Loss(int j, double delta)
        {
            var shifted = (float[])parameters.Clone();
            shifted[j] = (float)(parameters[j] + delta);
            Gradient(engine, shifted, shard, scale, dropout, out double sum);
            return sum * scale;
        }

        var failures = new List<string>();
        double h = step;
        for (int j = 0; j < parameters.Length; j++)
        {
            double numeric = (8 * (Loss(j, h) - Loss(j, -h)) - (Loss(j, 2 * h) - Loss(j, -2 * h))) / (12 * h);
            if (System.Math.Abs(analytic[j] - numeric) > AbsoluteTolerance + RelativeTolerance * System.Math.Abs(numeric))
                failures.Add($"{NameOf(network, j)}: analytic {analytic[j]:G6}, numeric {numeric:G6}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
    }

    /// <summary>The gradient of the whole shard as one group.</summary>
    public static float[] Gradient(GradientEngine engine, float[] parameters, ShardInput shard, float scale, DropoutKey? dropout, out double loss)
    {
        var gradient = new float[parameters.Length];
        var losses = new LossSums[1];
        engine.ComputeGroups(parameters, shard, shard.Count, scale, dropout, [gradient], losses);
        loss = losses[0].Loss;
        return gradient;
    }

    private static string NameOf(Network network, int j)
    {
        var slot = network.Layout.Slots.Last(s => s.Offset <= j);
        return $"{slot.Name}[{j - slot.Offset}]";
    }
}
