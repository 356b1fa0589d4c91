using System.Net;
using System.Net.Sockets;

namespace RnnCluster.Shared.Hosting;

/// <summary>Whether a node could listen where it is told to, asked before Akka tries (and logs its failure at length).</summary>
internal static class ListenCheck
{
    /// <summary>
    /// Binds, then releases, the node's address and its management port; throws <see cref="NodeStartException"/>
    /// naming what is wrong.
    /// </summary>
    public static void Probe(NodeOptions node)
    {
        var address = Resolve(node.Host);
        Bind(address, node.Host, node.Port, "");
        if (node.ManagementPort is { } management) Bind(address, node.Host, management, " (--management-port)");
    }

    private static void Bind(IPAddress address, string host, int port, string what)
    {
        using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException e)
        {
            throw new NodeStartException($"cannot listen on {host}:{port}{what}: {e.Message}");
        }
    }

    /// <summary>The address Akka binds for a host name: its first IPv4 address, as DotNetty resolves it.</summary>
    private static IPAddress Resolve(string host)
    {
        if (IPAddress.TryParse(host, out var address)) return address;
        try
        {
            var addresses = Dns.GetHostAddresses(host);
            return addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? addresses.FirstOrDefault()
                ?? throw new NodeStartException($"cannot listen on {host}: the name has no address");
        }
        catch (SocketException e)
        {
            throw new NodeStartException($"cannot listen on {host}: the name does not resolve ({e.Message})");
        }
    }
}
