using Microsoft.Extensions.Hosting;

namespace RnnCluster.Shared.Hosting;

/// <summary>
/// A host lifetime that takes no signal, for a program that handles SIGTERM and Ctrl+C itself. The default
/// console lifetime would take them too, and it cancels every Ctrl+C, so a second one could not stop the process.
/// </summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
