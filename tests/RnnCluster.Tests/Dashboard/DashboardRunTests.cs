using System.Net;
using System.Net.Sockets;
using Microsoft.Playwright;
using RnnCluster.Tests.Cli;
using RnnCluster.Tests.Cluster;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Tests.Dashboard;

/// <summary>`train --dashboard` as a user runs it: the page and /metrics of a live local run, and the flag's errors.</summary>
public class DashboardRunTests
{
    /// <summary>Small and endless: many short steps, so a run is mid-way whenever the test looks, until it stops it.</summary>
    private const string EndlessConfig = """
        {
          "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 8 }, { "type": "dense", "units": 1 } ] },
          "data": { "source": "synthetic", "generator": "sine", "samples": 96, "timesteps": 8, "seed": 3, "validationSplit": 0.25 },
          "training": { "epochs": 100000, "batchSize": 8, "loss": "mse", "seed": 1, "metrics": ["mae"] }
        }
        """;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    private static async Task<(LiveTrainRun Run, Uri Dashboard)> StartEndlessRun(TempFolder folder, int workers)
    {
        var config = folder.Write("endless.json", EndlessConfig);
        var run = LiveTrainRun.Start("--config", config, "--out", folder.File("out"), "--workers", workers.ToString(),
            "--dashboard", "0", "--quiet");
        var line = await run.WaitForLineAsync("dashboard: ", Patience);
        return (run, new Uri(line["dashboard: ".Length..]));
    }

    [Fact]
    public async Task ThePageOfALocalRunShowsItsWorkersLossPointsAndMetrics()
    {
        using var folder = new TempFolder();
        var (run, dashboard) = await StartEndlessRun(folder, workers: 2);
        await using (run)
        {
            await using var browser = await HeadlessBrowser.LaunchAsync();
            var page = await browser.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 1000 } });

            await page.GotoAsync(dashboard.ToString());
            await Assertions.Expect(page.Locator("#workers tbody tr td.up")).ToHaveCountAsync(2, new() { Timeout = (float)Patience.TotalMilliseconds });
            await page.WaitForFunctionAsync("Number(document.getElementById('step-loss').dataset.points) > 0", null,
                new() { Timeout = (float)Patience.TotalMilliseconds });
            await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("training");
            await Assertions.Expect(page.Locator("#mode")).ToHaveTextAsync("local");
            // training.metrics: the newest epoch's in the header, each epoch's in the table.
            await Assertions.Expect(page.Locator("#metrics thead th")).ToHaveTextAsync(["epoch", "mae", "valMae"], new() { Timeout = (float)Patience.TotalMilliseconds });
            await Assertions.Expect(page.Locator("#metrics tbody tr").First).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("#last-metrics")).ToContainTextAsync("valMae ");
            // Kept beside the test binaries for a person to look at.
            await page.ScreenshotAsync(new() { Path = Path.Combine(AppContext.BaseDirectory, "dashboard-local-run.png"), FullPage = true });
        }
    }

    [Fact]
    public async Task TheStepCounterGrowsBetweenTwoScrapesOfMetrics()
    {
        using var folder = new TempFolder();
        var (run, dashboard) = await StartEndlessRun(folder, workers: 2);
        await using (run)
        {
            using var http = new HttpClient();
            var metrics = new Uri(dashboard, "metrics");
            var first = await ScrapeUntil(http, metrics, s => s.Value("rnn_steps_total") > 0);
            var second = await ScrapeUntil(http, metrics, s => s.Value("rnn_steps_total") > first.Value("rnn_steps_total"));

            Assert.True(second.Value("rnn_samples_total") > first.Value("rnn_samples_total"));
            Assert.Equal(2, second.Value("rnn_workers"));
            Assert.True(second.Value("rnn_round_seconds_count") >= second.Value("rnn_steps_total") - 1);
            Assert.Equal(2, second.Count(s => s.Name == "rnn_worker_samples_total"));
            var withMetrics = await ScrapeUntil(http, metrics, s => s.Any(m => m.Name == "rnn_epoch_metric"));
            Assert.Equal(["mae", "valMae"], withMetrics.Where(m => m.Name == "rnn_epoch_metric").Select(m => m.Labels["name"]).Order());
        }
    }

    [Fact]
    public async Task InClusterModeThePageShowsTheWorkerProcessAtItsAddress()
    {
        using var folder = new TempFolder();
        var port = LoopbackPort.Free();
        var seed = $"{ActorSystemSettings.AddressPrefix}127.0.0.1:{port}";
        var run = LiveTrainRun.Start("--config", folder.Write("endless.json", EndlessConfig), "--out", folder.File("out"),
            "--cluster", "--host", "127.0.0.1", "--port", port.ToString(), "--min-workers", "1", "--dashboard", "0", "--quiet");
        await using (run)
        {
            var dashboard = new Uri((await run.WaitForLineAsync("dashboard: ", Patience))["dashboard: ".Length..]);
            await using var worker = ProgramProcess.Start(ProgramProcess.WorkerProgram, ["--seed-nodes", seed, "--host", "127.0.0.1", "--port", "0"]);
            using var http = new HttpClient();
            await ScrapeUntil(http, new Uri(dashboard, "metrics"), s => s.Value("rnn_steps_total") > 0);

            using var update = await DashboardEvents.FirstUpdateAsync(http, dashboard);
            var root = update.RootElement;
            Assert.Equal(("cluster", seed), (root.GetProperty("run").GetProperty("mode").GetString(), root.GetProperty("run").GetProperty("seed").GetString()));
            var shown = Assert.Single(root.GetProperty("workers").EnumerateArray());
            Assert.StartsWith($"{ActorSystemSettings.AddressPrefix}127.0.0.1:", shown.GetProperty("address").GetString());
            Assert.NotEqual(seed, shown.GetProperty("address").GetString());
            Assert.True(shown.GetProperty("up").GetBoolean());
            Assert.True(shown.GetProperty("rounds").GetInt64() > 0);
        }
    }

    [Theory]
    [InlineData("http://localhost:8080")]
    [InlineData("80800")]
    [InlineData("localhost:")]
    [InlineData("a b:80")]
    public void AMalformedAddressExitsTwoNamingTheFlag(string value)
    {
        using var run = new RunFolder();

        var result = run.Train("--dashboard", value);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: --dashboard: ", result.Stderr);
        run.AssertExistingModelUntouched();
    }

    [Fact]
    public void APortInUseExitsOneInOneLineBeforeWritingIntoOut()
    {
        using var run = new RunFolder();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var before = Directory.GetFiles(run.Out).Order().ToArray();

        var result = run.Train("--dashboard", port.ToString());

        Assert.Equal(1, result.ExitCode);
        Assert.Equal([$"error: --dashboard: cannot listen on 127.0.0.1:{port}: Address already in use"], result.StderrLines);
        Assert.Equal(before, Directory.GetFiles(run.Out).Order().ToArray());
        run.AssertExistingModelUntouched();
    }

    private static async Task<IReadOnlyList<PrometheusSample>> ScrapeUntil(HttpClient http, Uri metrics, Func<IReadOnlyList<PrometheusSample>, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var samples = PrometheusText.Parse(await http.GetStringAsync(metrics));
            if (done(samples)) return samples;
            Assert.True(DateTime.UtcNow < deadline, "the scrapes did not change in time");
            await Task.Delay(200);
        }
    }
}
