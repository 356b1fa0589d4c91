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
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        });
    }

    public void Dispose()
    {
        _terminate.Dispose();
        _interrupt.Dispose();
    }
}
