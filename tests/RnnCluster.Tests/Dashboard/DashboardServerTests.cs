using System.Net;
using System.Net.Sockets;
using RnnCluster.Coordinator.Dashboard;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Tests.Dashboard;

public class DashboardServerTests
{
    private static readonly DashboardAddress AnyFreePort = new("127.0.0.1", 0);

    [Fact]
    public async Task PortZeroBindsAFreePortAndServesTheSelfContainedPage()
    {
        using var dashboard = RunDashboard.Start(AnyFreePort, TimeProvider.System, TextWriter.Null);
        using var http = new HttpClient();

        var response = await http.GetAsync(dashboard.Url);
        var page = await response.Content.ReadAsStringAsync();

        Assert.NotEqual(0, dashboard.Url.Port);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("new EventSource(\"events\")", page);
        // Nothing to fetch from elsewhere: the machine (and a user's cluster) may have no internet.
        Assert.DoesNotContain("src=\"http", page);
        Assert.DoesNotContain("href=\"http", page);
    }

    [Fact]
    public async Task MetricsAreServedInPrometheusTextFormat()
    {
        using var dashboard = RunDashboard.Start(AnyFreePort, TimeProvider.System, TextWriter.Null);
        dashboard.Post(new StepTaken(new StepProgress(1, 1, 1, 0.5, 1)));
        using var http = new HttpClient();

        var response = await http.GetAsync(new Uri(dashboard.Url, "metrics"));

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(1, PrometheusText.Parse(await response.Content.ReadAsStringAsync()).Value("rnn_steps_total"));
    }

    [Fact]
    public async Task AStreamStartsWithEverythingAndGetsEachChange()
    {
        using var dashboard = RunDashboard.Start(AnyFreePort, TimeProvider.System, TextWriter.Null);
        dashboard.Post(new WorkerUp("w1", "akka.tcp://rnn-cluster@127.0.0.1:4054"));
        using var http = new HttpClient();
        await using var stream = await http.GetStreamAsync(new Uri(dashboard.Url, "events"));
        using var events = new StreamReader(stream);

        using var first = await DashboardEvents.NextUpdateAsync(events);
        dashboard.Post(new StepTaken(new StepProgress(1, 1, 5, 0.5, 1)));
        using var second = await DashboardEvents.NextUpdateAsync(events);

        Assert.True(first.RootElement.GetProperty("full").GetBoolean());
        Assert.Equal("w1", first.RootElement.GetProperty("workers")[0].GetProperty("id").GetString());
        Assert.False(second.RootElement.GetProperty("full").GetBoolean());
        Assert.Equal(0.5, second.RootElement.GetProperty("steps")[0].GetProperty("loss").GetDouble());
    }

    [Fact]
    public async Task AnOpenPageHearsHowTheRunEndedBeforeTheServerStops()
    {
        var dashboard = RunDashboard.Start(AnyFreePort, TimeProvider.System, TextWriter.Null);
        using var http = new HttpClient();
        await using var stream = await http.GetStreamAsync(new Uri(dashboard.Url, "events"));
        using var events = new StreamReader(stream);
        (await DashboardEvents.NextUpdateAsync(events)).Dispose();

        dashboard.Post(new RunEnded(RunOutcome.Finished, null));
        dashboard.Dispose();

        using var last = await DashboardEvents.NextUpdateAsync(events);
        Assert.Equal("finished", last.RootElement.GetProperty("status").GetString());
        Assert.Null(await events.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task APageThatNeverReadsHoldsNeitherTheRunNorOtherPages()
    {
        using var dashboard = RunDashboard.Start(AnyFreePort, TimeProvider.System, TextWriter.Null);
        using var stuck = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 1024 };
        await stuck.ConnectAsync(IPAddress.Loopback, dashboard.Url.Port);
        await stuck.SendAsync("GET /events HTTP/1.1\r\nHost: localhost\r\n\r\n"u8.ToArray());

        // About 10 MB of updates if each event were written to the page as it came, far past any socket buffer.
        const int steps = 200_000;
        for (var i = 1; i <= steps; i++) dashboard.Post(new StepTaken(new StepProgress(1, i, steps, 1.0 / i, 2)));

        using var http = new HttpClient();
        using var update = await DashboardEvents.FirstUpdateAsync(http, dashboard.Url);
        Assert.Equal(steps, update.RootElement.GetProperty("step").GetInt64());
    }

    [Fact]
    public void ADashboardThatFailsSaysSoOnceAndLetsTheRunGoOn()
    {
        var errors = new StringWriter();
        using var dashboard = RunDashboard.Start(AnyFreePort, TimeProvider.System, errors);

        // Prometheus refuses a counter that goes down: a negative compute time stands for any fault of the dashboard.
        dashboard.Post(TestRounds.Of(10, new WorkerShare("w1", 4, -1)));
        dashboard.Post(TestRounds.Of(10, new WorkerShare("w1", 4, -1)));

        Assert.Equal(["dashboard: stopped following the run: Counter value cannot decrease. (Parameter 'increment')"],
            errors.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void APortInUseIsAOneLineErrorNamingTheAddress()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var error = Assert.Throws<IOException>(() => RunDashboard.Start(new DashboardAddress("127.0.0.1", port), TimeProvider.System, TextWriter.Null));

        Assert.Equal($"--dashboard: cannot listen on 127.0.0.1:{port}: Address already in use", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }
}
