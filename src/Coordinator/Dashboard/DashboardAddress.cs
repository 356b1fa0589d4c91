using System.Globalization;
using System.Net;
using Rnn.Math;

namespace RnnCluster.Coordinator.Dashboard;

/// <summary>
/// Where `--dashboard [HOST:]PORT` listens. HOST defaults to the loopback address: the page shows the run's
/// config and paths, so serving it to the network is the user's explicit choice. PORT 0 takes any free port.
/// An IPv6 HOST is written in brackets, as in a URL: `[::1]:8080`.
/// </summary>
internal sealed record DashboardAddress(string Host, int Port)
{
    public const string DefaultHost = "127.0.0.1";

    /// <summary>Reads <paramref name="text"/>, given by <paramref name="flag"/>; throws <see cref="InputException"/> naming the flag.</summary>
    public static DashboardAddress Parse(string text, string flag)
    {
        var (host, port) = Split(text.Trim());
        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number > 65535)
            throw new InputException($"{flag}: expected [HOST:]PORT with PORT from 0 to 65535 (0: any free port), got '{text}'");
        if (host is null) return new DashboardAddress(DefaultHost, number);
        if (IPAddress.TryParse(host, out _) || Uri.CheckHostName(host) == UriHostNameType.Dns)
            return new DashboardAddress(host, number);
        throw new InputException($"{flag}: '{host}' is not a host name or IP address (expected [HOST:]PORT, e.g. 127.0.0.1:8080)");
    }

    /// <summary>The addresses to bind: HOST itself when it is an IP address, else what it resolves to (IPv4 first).</summary>
    public IPAddress ResolveForBinding()
    {
        if (IPAddress.TryParse(Host, out var ip)) return ip;
        return Dns.GetHostAddresses(Host).OrderBy(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 0 : 1).First();
    }

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";

    private static (string? Host, string Port) Split(string text)
    {
        if (text.StartsWith('['))
        {
            var close = text.IndexOf("]:", StringComparison.Ordinal);
            return close < 0 ? ("", "") : (text[1..close], text[(close + 2)..]);
        }
        var colon = text.LastIndexOf(':');
        // An unbracketed IPv6 address has several colons; its last group is not a port.
        if (colon >= 0 && text.IndexOf(':') != colon) return ("", "");
        return colon < 0 ? (null, text) : (text[..colon], text[(colon + 1)..]);
    }
}
