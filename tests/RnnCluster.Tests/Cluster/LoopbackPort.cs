using System.Net;
using System.Net.Sockets;

namespace RnnCluster.Tests.Cluster;

internal static class LoopbackPort
{
    /// <summary>A port on 127.0.0.1 that was free a moment ago: for a seed node, whose address others must know.</summary>
    public static int Free()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
