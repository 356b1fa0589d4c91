using RnnCluster.Coordinator.Cli;

namespace RnnCluster.Tests.Cli;

/// <summary>What SIGTERM and Ctrl+C do to a run (the registration of the signals themselves is the runtime's).</summary>
public class StopRequestsTests
{
    [Fact]
    public void The_first_ctrl_c_stops_the_run_and_is_handled()
    {
        using var stop = new CancellationTokenSource();
        Assert.True(new StopRequests(stop).Interrupt());
        Assert.True(stop.IsCancellationRequested);
    }

    [Fact]
    public void A_second_ctrl_c_is_left_to_the_runtime_which_ends_the_process()
    {
        using var stop = new CancellationTokenSource();
        var requests = new StopRequests(stop);
        requests.Interrupt();
        Assert.False(requests.Interrupt());
    }

    [Fact]
    public void Ctrl_c_after_sigterm_ends_the_process()
    {
        using var stop = new CancellationTokenSource();
        var requests = new StopRequests(stop);
        requests.Terminate();
        Assert.False(requests.Interrupt());
    }

    [Fact]
    public void Sigterm_is_always_handled_so_the_run_can_finish_stopping()
    {
        using var stop = new CancellationTokenSource();
        var requests = new StopRequests(stop);
        Assert.True(requests.Terminate());
        Assert.True(requests.Terminate());
        Assert.True(stop.IsCancellationRequested);
    }
}
