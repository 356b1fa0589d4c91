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

    private RunDashboard(DashboardState state, RunMetrics metrics, DashboardServer server)
    {
        this.state = state;
        this.metrics = metrics;
        this.server = server;
    }

    public Uri Url => server.Url;

    /// <summary>Starts serving at <paramref name="address"/>; throws <see cref="IOException"/> when it cannot listen there.</summary>
    public static async Task<RunDashboard> StartAsync(DashboardAddress address, TimeProvider clock)
    {
        var state = new DashboardState(clock);
        var metrics = new RunMetrics(clock);
        return new RunDashboard(state, metrics, await DashboardServer.StartAsync(address, state, metrics.Registry));
    }

    /// <summary>Takes one event of the run; call from one thread at a time (the session's observer).</summary>
    public void Post(RunEvent e)
    {
        state.Apply(e);
        metrics.Apply(e);
    }

    public ValueTask DisposeAsync() => server.DisposeAsync();
}
