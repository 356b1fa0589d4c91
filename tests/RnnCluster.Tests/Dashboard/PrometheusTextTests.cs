namespace RnnCluster.Tests.Dashboard;

/// <summary>The test's Prometheus reader refuses what Prometheus would refuse, so a scrape it reads is well formed.</summary>
public class PrometheusTextTests
{
    [Fact]
    public void ReadsSamplesOfDeclaredFamilies()
    {
        var samples = PrometheusText.Parse("""
            # HELP a_total A counter.
            # TYPE a_total counter
            a_total{worker="x\"y\\z"} 3
            # TYPE h histogram
            h_bucket{le="0.5"} 1
            h_bucket{le="+Inf"} 2
            h_sum 0.75
            h_count 2

            """.Replace("\r", ""));

        Assert.Equal("x\"y\\z", samples[0].Labels["worker"]);
        Assert.Equal(0.75, samples.Value("h_sum"));
    }

    [Theory]
    [InlineData("a 1\n")]
    [InlineData("# TYPE a gauge\na 1\na 2\n")]
    [InlineData("# TYPE a gauge\na{b=\"c} 1\n")]
    [InlineData("# TYPE a gauge\na one\n")]
    [InlineData("# TYPE 1a gauge\n")]
    [InlineData("# TYPE a gauge\na 1")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n")]
    public void RefusesMalformedText(string text)
    {
        Assert.Throws<FormatException>(() => PrometheusText.Parse(text));
    }
}
