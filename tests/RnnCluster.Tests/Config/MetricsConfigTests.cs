using Rnn.Math.Config;
using static RnnCluster.Tests.Config.ConfigText;

namespace RnnCluster.Tests.Config;

/// <summary>`training.metrics`: the names the contract lists, in order, and each refused where it means nothing.</summary>
public class MetricsConfigTests
{
    private static string Classifier(string metrics, string loss = "crossentropy", int units = 3) => $$"""
        {
          "model": { "inputSize": 2, "layers": [ { "type": "gru", "units": 8 }, { "type": "dense", "units": {{units}} } ] },
          "data": { "source": "safetensors", "path": "d.safetensors" },
          "training": { "loss": "{{loss}}",
            "metrics": {{metrics}} }
        }
        """;

    [Fact]
    public void Metrics_are_read_in_their_order()
    {
        Assert.Equal([MetricKind.Perplexity, MetricKind.Accuracy], Parse(Classifier("""["perplexity", "ACCURACY"]""")).Training.Metrics);
        Assert.Equal([MetricKind.Rmse, MetricKind.Mae, MetricKind.Mse, MetricKind.Accuracy],
            Parse(Classifier("""["rmse", "mae", "mse", "accuracy"]""", "mse", units: 1)).Training.Metrics);
        Assert.Empty(Parse(Example).Training.Metrics);
    }

    [Theory]
    [InlineData("""["acc"]""", "crossentropy", 3, "line 5: training.metrics[0]: unknown metric \"acc\"")]
    [InlineData("""["accuracy", "accuracy"]""", "crossentropy", 3, "line 5: training.metrics[1]: metric \"accuracy\" is listed twice")]
    [InlineData("\"accuracy\"", "crossentropy", 3, "line 5: training.metrics: expected an array of metric names, got")]
    [InlineData("""["perplexity"]""", "mse", 1, "perplexity is the exponential of a mean cross-entropy, and this run's loss is mse")]
    [InlineData("""["mae"]""", "crossentropy", 3, "mae compares outputs with regression targets")]
    [InlineData("""["accuracy"]""", "mse", 2, "accuracy needs classes: loss crossentropy, or one output to threshold at 0.5, and this model has 2 outputs and loss mse")]
    public void A_metric_that_means_nothing_for_the_run_is_refused(string metrics, string loss, int units, string expected)
    {
        Assert.Contains(expected, ErrorOf(Classifier(metrics, loss, units)));
    }
}
