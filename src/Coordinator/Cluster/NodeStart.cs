using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using RnnCluster.Worker.Hosting;

namespace RnnCluster.Coordinator.Cluster;

/// <summary>The coordinator's node could not start (its port is taken, say); the message is one line for the user.</summary>
public sealed class NodeStartException(string message, Exception? cause = null) : Exception(message, cause);

/// <summary>
/// Starts the coordinator's cluster node. A port already in use is found before Akka tries it: Akka's own
/// failure prints its traces to the console and nests the reason five exceptions deep.
/// </summary>
internal static class NodeStart
{
    public static async Task<IHost> StartAsync(NodeOptions node, CancellationToken cancellation)
    {
        EnsurePortFree(node);
        var host = ClusterNode.Build(node, ClusterNode.CoordinatorRole, _ => { }, ownSignals: true);
        try
        {
            await host.StartAsync(cancellation).ConfigureAwait(false);
            return host;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            host.Dispose();
            throw new NodeStartException($"the cluster node could not start on {node.Host}:{node.Port}: {e.GetBaseException().Message}", e);
        }
    }

    private static void EnsurePortFree(NodeOptions node)
    {
        if (node.Port == 0) return;
        var address = node.Host switch
        {
            NodeOptions.EveryInterface => IPAddress.Any,
            "::" => IPAddress.IPv6Any,
            _ => Dns.GetHostAddresses(node.Host).OrderBy(a => a.AddressFamily != AddressFamily.InterNetwork).First(),
        };
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, node.Port));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new NodeStartException($"--port {node.Port}: {node.Host}:{node.Port} is already in use (another coordinator or worker?)");
        }
    }
}
