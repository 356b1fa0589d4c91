using Microsoft.Extensions.Hosting;

namespace RnnCluster.Coordinator.Cluster;

/// <summary>
/// The coordinator's host lifetime: it takes no signal. rnn-cluster handles SIGTERM and Ctrl+C itself, because
/// it must checkpoint before it leaves; the host's default console lifetime would take them too, and it cancels
/// every Ctrl+C, so a second one could not stop the process.
/// </summary>
internal sealed class SignalFreeLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
