using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Hosting;
using Rnn.Math;
using RnnCluster.Worker.Hosting;

namespace RnnCluster.Coordinator.Cluster;

/// <summary>The coordinator's node could not start (its port is taken, say); the message is one line for the user.</summary>
public sealed class NodeStartException(string message, Exception? cause = null) : Exception(message, cause);

/// <summary>
/// Starts the coordinator's cluster node. What would stop it is found before Akka tries: a name that does not
/// resolve or an address not of this machine (the user's flag: <see cref="InputException"/>), a port in use
/// (<see cref="NodeStartException"/>). Akka's own failure prints traces to the console and nests the reason
/// five exceptions deep.
/// </summary>
internal static class NodeStart
{
    public static async Task<IHost> StartAsync(NodeOptions node, CancellationToken cancellation)
    {
        var address = Resolve("--host", node.Host);
        if (node.PublicHost is { } publicHost) Resolve("--public-host", publicHost);
        EnsureBindable(node, address);
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

    /// <summary>The address to bind for <paramref name="name"/> (IPv4 first, as the transport prefers it).</summary>
    private static IPAddress Resolve(string flag, string name)
    {
        if (name == NodeOptions.EveryInterface) return IPAddress.Any;
        if (IPAddress.TryParse(name, out var literal)) return literal;
        try
        {
            var addresses = Dns.GetHostAddresses(name);
            if (addresses.Length > 0) return addresses.OrderBy(a => a.AddressFamily != AddressFamily.InterNetwork).First();
        }
        catch (SocketException)
        {
        }
        throw new InputException($"{flag} {name}: no address found for this name");
    }

    private static void EnsureBindable(NodeOptions node, IPAddress address)
    {
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.Bind(new IPEndPoint(address, node.Port));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            throw new NodeStartException($"--port {node.Port}: {node.Host}:{node.Port} is already in use (another coordinator or worker?)");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            throw new InputException($"--host {node.Host}: not an address of this machine ({address})");
        }
    }
}
