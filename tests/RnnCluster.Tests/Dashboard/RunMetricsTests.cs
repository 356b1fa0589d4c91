using System.Text;
using RnnCluster.Coordinator.Dashboard;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Tests.Dashboard;

public class RunMetricsTests
{
    private static async Task<IReadOnlyList<PrometheusSample>> Scrape(RunMetrics metrics)
    {
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text);
        return PrometheusText.Parse(Encoding.UTF8.GetString(text.ToArray()));
    }

    [Fact]
    public async Task StepsCountOneEachWithTheLastMinibatchLoss()
    {
        var metrics = new RunMetrics(TimeProvider.System);
        for (var m = 1; m <= 3; m++) metrics.Apply(new StepTaken(new StepProgress(2, m, 3, 0.25 * m, 1)));

        var scrape = await Scrape(metrics);

        Assert.Equal(3, scrape.Value("rnn_steps_total"));
        Assert.Equal(0.75, scrape.Value("rnn_loss"));
        Assert.Equal(2, scrape.Value("rnn_epoch"));
    }

    [Fact]
    public async Task RoundTimesAreHistogramsInSecondsSplitIntoComputeAndSync()
    {
        var metrics = new RunMetrics(TimeProvider.System);
        metrics.Apply(TestRounds.Of(50, new WorkerShare("a", 4, 30), new WorkerShare("b", 6, 42)));

        var scrape = await Scrape(metrics);

        Assert.Equal(0.050, scrape.Value("rnn_round_seconds_sum"), 12);
        Assert.Equal(0.042, scrape.Value("rnn_round_compute_seconds_sum"), 12);
        Assert.Equal(0.008, scrape.Value("rnn_round_sync_seconds_sum"), 12);
        Assert.Equal(1, scrape.Value("rnn_round_seconds_count"));
        Assert.Equal(4 + 6, scrape.Value("rnn_samples_total"));
        Assert.Equal(6, scrape.Single(s => s.Name == "rnn_worker_samples_total" && s.Labels["worker"] == "b").Value);
        Assert.Equal(0.030, scrape.Single(s => s.Name == "rnn_worker_compute_seconds_total" && s.Labels["worker"] == "a").Value, 12);
    }

    [Fact]
    public async Task WorkersCountThoseUp()
    {
        var metrics = new RunMetrics(TimeProvider.System);
        metrics.Apply(new WorkerUp("a", "x"));
        metrics.Apply(new WorkerUp("b", "y"));
        metrics.Apply(new WorkerDown("a"));

        Assert.Equal(1, (await Scrape(metrics)).Value("rnn_workers"));
    }

    [Fact]
    public async Task LossesAppearOnlyOnceKnown()
    {
        var metrics = new RunMetrics(TimeProvider.System);
        var before = await Scrape(metrics);
        metrics.Apply(new EpochEnded(new EpochMetrics(1, 0.5, 0.625, 100, 2, 1, 10, 2)));

        var after = await Scrape(metrics);

        Assert.DoesNotContain(before, s => s.Name is "rnn_loss" or "rnn_epoch_loss" or "rnn_validation_loss");
        Assert.Equal((0.5, 0.625, 1.0), (after.Value("rnn_epoch_loss"), after.Value("rnn_validation_loss"), after.Value("rnn_epochs_total")));
    }

    [Fact]
    public async Task EachMetricOfTheRunIsAGaugeByName()
    {
        var metrics = new RunMetrics(TimeProvider.System);
        var before = await Scrape(metrics);
        var named = new Dictionary<string, double> { ["accuracy"] = 0.75, ["valAccuracy"] = 0.5 };
        metrics.Apply(new EpochEnded(new EpochMetrics(1, 0.5, 0.625, 100, 2, 1, 10, 2, Metrics: named)));

        var after = await Scrape(metrics);

        Assert.DoesNotContain(before, s => s.Name == "rnn_epoch_metric");
        var gauges = after.Where(s => s.Name == "rnn_epoch_metric").ToDictionary(s => s.Labels["name"], s => s.Value);
        Assert.Equal(named, gauges);
    }

    [Fact]
    public async Task CheckpointAgeIsTheTimeSinceTheLastOneAtEachScrape()
    {
        var clock = new ManualClock();
        var metrics = new RunMetrics(clock);
        Assert.DoesNotContain(await Scrape(metrics), s => s.Name == "rnn_checkpoint_age_seconds");

        metrics.Apply(new CheckpointWritten("/runs/x/checkpoints/step-10.safetensors", 10));
        clock.Advance(TimeSpan.FromSeconds(42.5));

        var scrape = await Scrape(metrics);
        Assert.Equal(42.5, scrape.Value("rnn_checkpoint_age_seconds"));
        Assert.Equal(1, scrape.Value("rnn_checkpoints_total"));
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan by) => now += by;

        public override DateTimeOffset GetUtcNow() => now;
    }
}
