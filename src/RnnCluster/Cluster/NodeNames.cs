using System.Net;
using System.Net.Sockets;
using Rnn.Math;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Coordinator.Cluster;

/// <summary>
/// The coordinator's `--host` and `--public-host` must name addresses: a name that does not resolve is the
/// user's flag to fix (exit 2), found before the node starts. (Whether the node can then listen there is
/// <see cref="ClusterNode.StartAsync"/>'s to say.)
/// </summary>
internal static class NodeNames
{
    public static void Check(NodeOptions node)
    {
        Check("--host", node.Host);
        if (node.PublicHost is { } publicHost) Check("--public-host", publicHost);
    }

    private static void Check(string flag, string name)
    {
        if (IPAddress.TryParse(name, out _)) return;
        try
        {
            if (Dns.GetHostAddresses(name).Length > 0) return;
        }
        catch (SocketException)
        {
        }
        throw new InputException($"{flag} {name}: no address found for this name");
    }
}
