using System.Runtime.InteropServices;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// SIGTERM (what docker stop, systemd and Kubernetes send) and Ctrl+C stop a run cleanly: the token is
/// cancelled, and the run checkpoints, leaves the cluster and exits. A Ctrl+C once stopping has begun is left
/// to the runtime's default, which ends the process at once.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly PosixSignalRegistration _terminate;
    private readonly PosixSignalRegistration _interrupt;

    public StopSignals(CancellationTokenSource stop)
    {
        var requests = new StopRequests(stop);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => context.Cancel = requests.Terminate());
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => context.Cancel = requests.Interrupt());
    }

    public void Dispose()
    {
        _terminate.Dispose();
        _interrupt.Dispose();
    }
}

/// <summary>
/// What each signal does, apart from the signals themselves. Each method says whether the signal is handled
/// here (true) or left to the runtime's default, which ends the process. Signals can be handled on two
/// threads at once, hence one atomic exchange.
/// </summary>
internal sealed class StopRequests(CancellationTokenSource stop)
{
    private int _stopping;

    /// <summary>SIGTERM: stop cleanly, however often it comes (a container runtime follows with SIGKILL when it has waited enough).</summary>
    public bool Terminate()
    {
        Interlocked.Exchange(ref _stopping, 1);
        stop.Cancel();
        return true;
    }

    /// <summary>Ctrl+C: the first one stops cleanly; one after stopping has begun ends the process.</summary>
    public bool Interrupt()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1) return false;
        stop.Cancel();
        return true;
    }
}
