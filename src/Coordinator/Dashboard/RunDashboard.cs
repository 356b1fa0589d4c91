namespace RnnCluster.Coordinator.Dashboard;

/// <summary>
/// The dashboard of one run: the page's state and the Prometheus metrics, both fed by <see cref="Post"/>, and
/// the web server that shows them. Posting only updates memory; nothing in it waits on the network.
/// </summary>
internal sealed class RunDashboard : IAsyncDisposable
{
    private readonly DashboardState state;
    private readonly RunMetrics metrics;
    private readonly DashboardServer server;
    private readonly TextWriter errors;
    private bool broken;

    private RunDashboard(DashboardState state, RunMetrics metrics, DashboardServer server, TextWriter errors)
    {
        this.state = state;
        this.metrics = metrics;
        this.server = server;
        this.errors = errors;
    }

    public Uri Url => server.Url;

    /// <summary>
    /// Starts serving at <paramref name="address"/>; throws <see cref="IOException"/> when it cannot listen there.
    /// <paramref name="errors"/> hears, in one line, if the dashboard itself fails while the run goes on.
    /// </summary>
    public static async Task<RunDashboard> StartAsync(DashboardAddress address, TimeProvider clock, TextWriter errors)
    {
        var state = new DashboardState(clock);
        var metrics = new RunMetrics(clock);
        return new RunDashboard(state, metrics, await DashboardServer.StartAsync(address, state, metrics.Registry), errors);
    }

    /// <summary>Takes one event of the run; call from one thread at a time (the session's observer).</summary>
    public void Post(RunEvent e)
    {
        if (broken) return;
        try
        {
            state.Apply(e);
            metrics.Apply(e);
        }
        catch (Exception failure)
        {
            // A fault of the dashboard must not end the run it shows: it stops following the run and says so once.
            broken = true;
            errors.WriteLine($"dashboard: stopped following the run: {failure.Message}");
        }
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
