using Rnn.Math;
using RnnCluster.Coordinator.Cluster;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// Reads the cluster flags of train and bench (each falls back to its RNN_* environment variable). Null
/// means local mode.
/// </summary>
internal static class ClusterFlags
{
    public const int DefaultPort = 4053;

    private static readonly string[] OnlyWithCluster = ["--host", "--port", "--public-host", "--seed-nodes", "--min-workers", .. NodeFlags.TlsFlags, .. NodeFlags.DiscoveryFlags];

    public static ClusterOptions? From(ParsedArgs args)
    {
        if (!args.Has("--cluster"))
        {
            foreach (var flag in OnlyWithCluster)
                if (args.Has(flag)) throw new InputException($"{flag} needs --cluster (without it, training runs in this process)");
            return null;
        }
        if (args.Has("--workers")) throw new InputException("--workers is for local mode; with --cluster, start rnn-worker processes and set --min-workers");
        var node = NodeFlags.Read(args, DefaultPort);
        return new ClusterOptions(node, args.PositiveInt("--min-workers") ?? 1);
    }
}
