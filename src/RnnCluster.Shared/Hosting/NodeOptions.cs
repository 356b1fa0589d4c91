using System.Net;

namespace RnnCluster.Shared.Hosting;

/// <summary>
/// Where a cluster node listens and how others reach it (docs/contract.md's `--host`, `--port`, `--public-host`,
/// `--seed-nodes`). No seed nodes and no <see cref="Discovery"/> means this node forms the cluster.
/// </summary>
public sealed record NodeOptions(string Host, int Port, string? PublicHost, IReadOnlyList<string> SeedNodes)
{
    /// <summary>The node's certificates (`--tls-cert`, `--tls-ca`): Akka.Remote and the data plane under TLS; null: in the clear.</summary>
    public NodeTls? Tls { get; init; }

    /// <summary>How the node finds the cluster instead of <see cref="SeedNodes"/> (`--discovery`); null: by its seed nodes.</summary>
    public NodeDiscovery? Discovery { get; init; }

    /// <summary>
    /// The port of Akka.Management's HTTP server (`--management-port`): the health endpoints, and the contact point
    /// that discovery finds; null: none (a node without discovery serves one only when asked to).
    /// </summary>
    public int? ManagementPort { get; init; }

    /// <summary>The default `--host`: listen on every IPv4 interface.</summary>
    public const string EveryInterface = "0.0.0.0";

    /// <summary>
    /// The name other nodes use for this one. A node bound to every interface has no address of its own, so it
    /// goes by its machine name (a container's service name, say) unless told otherwise.
    /// </summary>
    public string? AdvertisedHost => PublicHost ?? (Host is EveryInterface or "::" ? Dns.GetHostName() : null);
}
