using Rnn.Math.Config;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using static RnnCluster.Tests.Model.ModelFactory;

namespace RnnCluster.Tests.Model;

/// <summary>
/// The sums behind `training.metrics`, against values worked by hand and against what predict gives: accuracy as
/// Keras picks it (arg max for classes, the 0.5 threshold for one output), absolute and squared errors, padded
/// steps left out.
/// </summary>
public class MetricSumsTests
{
    [Fact]
    public void Crossentropy_counts_rows_whose_first_largest_logit_is_the_class()
    {
        // Row 0 picks class 1 (right); row 1 ties classes 0 and 2 and picks the first, 0 (wrong, the class is 2).
        float[] logits = [1, 3, 2, 5, 0, 5];

        var sums = LossSums.Of(LossKind.CrossEntropy, 2.5, logits, [1, 2], rows: 2, width: 3);

        Assert.Equal(new LossSums(2.5, 1, 0, 0), sums);
    }

    [Fact]
    public void One_regression_output_is_binary_accuracy_at_half_with_its_errors()
    {
        // 0.7 -> 1 = 1 right; 0.2 -> 0 = 0 right; 0.6 -> 1 vs 0 wrong; 0.9 -> 1 vs 0.8 wrong (Keras compares exactly).
        float[] outputs = [0.7f, 0.2f, 0.6f, 0.9f], targets = [1, 0, 0, 0.8f];

        var sums = LossSums.Of(LossKind.Mse, 0, outputs, targets, rows: 4, width: 1);

        double[] errors = [0.7f - 1f, 0.2f - 0f, 0.6f - 0f, 0.9f - 0.8f];
        Assert.Equal(2, sums.Hits);
        Assert.Equal(errors.Sum(System.Math.Abs), sums.AbsError, 12);
        Assert.Equal(errors.Sum(e => e * e), sums.SquaredError, 12);
    }

    [Fact]
    public void Metrics_divide_by_the_loss_terms()
    {
        var sums = new LossSums(Loss: 2 * System.Math.Log(3), Hits: 3, AbsError: 2, SquaredError: 8);

        Assert.Equal(0.75, Metrics.Value(MetricKind.Accuracy, sums, 4));
        Assert.Equal(3, Metrics.Value(MetricKind.Perplexity, sums, 2), 12);
        Assert.Equal(0.5, Metrics.Value(MetricKind.Mae, sums, 4));
        Assert.Equal(2, Metrics.Value(MetricKind.Mse, sums, 4));
        Assert.Equal(System.Math.Sqrt(2), Metrics.Value(MetricKind.Rmse, sums, 4));
    }

    [Fact]
    public void A_classifiers_hits_are_the_real_steps_where_predict_picks_the_class()
    {
        var network = Build(2, Gru(5, sequences: true), Dense(4));
        var engine = new GradientEngine(network, LossKind.CrossEntropy, 0);
        var parameters = Parameters(network, 5);
        const int n = 6, T = 5;
        int[] lengths = [5, 1, 3, 5, 2, 4];
        var shard = Shard(network, LossKind.CrossEntropy, n, T, seed: 9) with { Lengths = lengths };
        var probabilities = new float[n * T * 4];
        engine.Predict(parameters, shard.X, n, T, probabilities, lengths);

        var losses = new LossSums[3];
        engine.EvaluateGroups(parameters, shard, 2, losses);

        int expected = 0;
        for (int s = 0; s < n; s++)
            for (int t = 0; t < lengths[s]; t++)
                if (LossSums.ArgMax(probabilities.AsSpan((s * T + t) * 4, 4)) == shard.Y[s * T + t]) expected++;
        Assert.Equal(expected, losses.Sum(sums => sums.Hits));
        Assert.InRange(expected, 1, lengths.Sum() - 1);
        for (int s = 0; s < n; s++)
            for (int c = 0; c < 4; c++)
                Assert.InRange(probabilities[s * T * 4 + c], 0f, 1f);
    }
}
