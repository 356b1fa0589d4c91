using Akka.Actor;
using Rnn.Math;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Shared.CommandLine;

/// <summary>
/// The flags that place a process in the cluster (docs/contract.md), the same for rnn-worker and for
/// rnn-cluster's cluster mode; each falls back to its RNN_* environment variable.
/// </summary>
public static class NodeFlags
{
    public static FlagSpec[] Specs(int defaultPort, string seedNodesHelp) =>
    [
        new("--host", FlagKind.Value, "HOST", $"address to bind (default {NodeOptions.EveryInterface})", "RNN_HOST"),
        new("--port", FlagKind.Value, "PORT", defaultPort == 0 ? "port to bind (default 0: any free port)" : $"port to bind (default {defaultPort})", "RNN_PORT"),
        new("--public-host", FlagKind.Value, "NAME", "host name other members use to reach this one", "RNN_PUBLIC_HOST"),
        new("--seed-nodes", FlagKind.Value, "ADDR,...", seedNodesHelp, "RNN_SEED_NODES"),
        new("--discovery", FlagKind.Value, "MODE", $"find the cluster by Akka.Management bootstrap instead of --seed-nodes: {ContactPointList.Name} (the --contact-points) or {KubernetesPods.Name} (pods by --pod-label)", "RNN_DISCOVERY"),
        new("--contact-points", FlagKind.Value, "HOST:PORT,...", $"with --discovery {ContactPointList.Name}: the management endpoint of every node", "RNN_CONTACT_POINTS"),
        new("--pod-label", FlagKind.Value, "SELECTOR", $"with --discovery {KubernetesPods.Name}: the label selector of the cluster's pods (default {KubernetesPods.DefaultLabelSelector})", "RNN_POD_LABEL"),
        new("--management-port", FlagKind.Value, "PORT", $"serve /alive and /ready (and bootstrap) on this port (default {NodeDiscovery.DefaultManagementPort} with --discovery, none without)", "RNN_MANAGEMENT_PORT"),
        new("--tls-cert", FlagKind.Value, "FILE.pfx", "this node's certificate with its key (PKCS#12): TLS with mutual authentication", "RNN_TLS_CERT"),
        new("--tls-password", FlagKind.Value, "PW", "the password of --tls-cert", "RNN_TLS_PASSWORD"),
        new("--tls-ca", FlagKind.Value, "FILE.pem", "the CA every node's certificate must chain to", "RNN_TLS_CA"),
    ];

    /// <summary>The TLS flags, which only a cluster node takes.</summary>
    public static readonly string[] TlsFlags = ["--tls-cert", "--tls-password", "--tls-ca"];

    /// <summary>The discovery and management flags, which only a cluster node takes.</summary>
    public static readonly string[] DiscoveryFlags = ["--discovery", "--contact-points", "--pod-label", "--management-port"];

    public static NodeOptions Read(ParsedArgs args, int defaultPort)
    {
        var seeds = args.List("--seed-nodes");
        foreach (var seed in seeds) CheckSeed(seed, args.Source("--seed-nodes"));
        var discovery = ReadDiscovery(args);
        if (discovery is not null && seeds.Count > 0)
            throw new InputException($"{args.Source("--seed-nodes")} and {args.Source("--discovery")}: give one way to find the cluster, not both");
        var management = args.Port("--management-port");
        if (management == 0) throw new InputException($"{args.Source("--management-port")}: expected a port from 1 to 65535 (other nodes and probes must know it)");
        return new NodeOptions(
            args.Text("--host") ?? NodeOptions.EveryInterface,
            args.Port("--port") ?? defaultPort,
            args.Text("--public-host"),
            seeds)
        {
            Tls = ReadTls(args),
            Discovery = discovery,
            ManagementPort = management ?? (discovery is null ? null : NodeDiscovery.DefaultManagementPort),
        };
    }

    /// <summary>`--discovery` and what its mode takes; a flag of the other mode is refused rather than ignored.</summary>
    private static NodeDiscovery? ReadDiscovery(ParsedArgs args)
    {
        var mode = args.Text("--discovery");
        string[] points = [.. args.List("--contact-points")];
        var label = args.Text("--pod-label");
        switch (mode)
        {
            case null:
                if (points.Length > 0) throw new InputException($"{args.Source("--contact-points")} needs --discovery {ContactPointList.Name}");
                if (label is not null) throw new InputException($"{args.Source("--pod-label")} needs --discovery {KubernetesPods.Name}");
                return null;
            case ContactPointList.Name:
                if (label is not null) throw new InputException($"{args.Source("--pod-label")} is for --discovery {KubernetesPods.Name}; {ContactPointList.Name} takes --contact-points");
                if (points.Length == 0) throw new InputException($"--discovery {ContactPointList.Name} needs --contact-points HOST:PORT,... (or RNN_CONTACT_POINTS): the management endpoint of every node");
                foreach (var point in points) CheckContactPoint(point, args.Source("--contact-points"));
                return new ContactPointList(points);
            case KubernetesPods.Name:
                if (points.Length > 0) throw new InputException($"{args.Source("--contact-points")} is for --discovery {ContactPointList.Name}; {KubernetesPods.Name} finds pods by --pod-label");
                return new KubernetesPods(label ?? KubernetesPods.DefaultLabelSelector);
            default:
                throw new InputException($"{args.Source("--discovery")}: expected {ContactPointList.Name} or {KubernetesPods.Name}, got '{mode}'");
        }
    }

    /// <summary>A contact point is a management endpoint, HOST:PORT, not a node's Akka address.</summary>
    private static void CheckContactPoint(string point, string source)
    {
        var colon = point.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(point[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port is < 1 or > 65535 || point.Contains("://", StringComparison.Ordinal))
            throw new InputException($"{source}: expected management endpoints like HOST:{NodeDiscovery.DefaultManagementPort}, got '{point}'");
    }

    /// <summary>
    /// TLS is all or nothing: a certificate without the CA its peers must chain to (or the reverse) would leave
    /// half of the checks undone, so either flag alone is refused.
    /// </summary>
    private static NodeTls? ReadTls(ParsedArgs args)
    {
        string? certificate = args.Text("--tls-cert"), authority = args.Text("--tls-ca");
        if (certificate is null && authority is null)
        {
            if (args.Text("--tls-password") is not null) throw new InputException($"{args.Source("--tls-password")} needs --tls-cert (and --tls-ca)");
            return null;
        }
        if (certificate is null) throw new InputException($"{args.Source("--tls-ca")} needs --tls-cert FILE.pfx (or RNN_TLS_CERT): TLS takes both");
        if (authority is null) throw new InputException($"{args.Source("--tls-cert")} needs --tls-ca FILE.pem (or RNN_TLS_CA): the CA every peer's certificate must chain to");
        return NodeTls.Load(certificate, args.Text("--tls-password"), authority, args.Source("--tls-cert"), args.Source("--tls-ca"));
    }

    /// <summary>
    /// A seed node must be a node of this cluster: Akka would otherwise retry a wrong address for ever,
    /// saying only that it drops messages for a non-local recipient.
    /// </summary>
    private static void CheckSeed(string seed, string source)
    {
        const string expected = $"{ActorSystemSettings.AddressPrefix}HOST:PORT";
        if (!Address.TryParse(seed, out var address) || address.Host is null || address.Port is not > 0)
            throw new InputException($"{source}: expected addresses like {expected}, got '{seed}'");
        if (address.Protocol is not (ActorSystemSettings.Protocol or ActorSystemSettings.TlsProtocol))
            throw new InputException($"{source}: '{seed}' uses {address.Protocol}; nodes talk {ActorSystemSettings.Protocol} ({expected})");
        if (address.System != ActorSystemSettings.SystemName)
            throw new InputException($"{source}: '{seed}' names the actor system '{address.System}'; every node's is '{ActorSystemSettings.SystemName}' ({expected})");
    }
}
