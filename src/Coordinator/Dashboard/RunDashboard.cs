namespace RnnCluster.Coordinator.Dashboard;

/// <summary>
/// The dashboard of one run: the page's state and the Prometheus metrics, both fed by <see cref="Post"/>, and
/// the web server that shows them. Posting only updates memory; nothing in it waits on the network.
/// </summary>
internal sealed class RunDashboard : IDisposable
{
    private readonly DashboardState state;
    private readonly RunMetrics metrics;
    private readonly DashboardServer server;
    private readonly TextWriter errors;
    private readonly object gate = new();
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
    public static RunDashboard Start(DashboardAddress address, TimeProvider clock, TextWriter errors)
    {
        var state = new DashboardState(clock);
        var metrics = new RunMetrics(clock);
        return new RunDashboard(state, metrics, DashboardServer.StartAsync(address, state, metrics.Registry).GetAwaiter().GetResult(), errors);
    }

    /// <summary>
    /// Takes one event of the run, from any thread: the session's observer, and the command when the run has ended.
    /// Events are applied one at a time; nothing here waits on the network.
    /// </summary>
    public void Post(RunEvent e)
    {
        lock (gate)
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
    }

    /// <summary>Stops serving; open pages get the last update first (see <see cref="DashboardServer.DisposeAsync"/>).</summary>
    public void Dispose() => server.DisposeAsync().AsTask().GetAwaiter().GetResult();
}
