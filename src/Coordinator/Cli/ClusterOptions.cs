using Rnn.Math;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// The cluster flags of train and bench (each falls back to its RNN_* environment variable). Null from
/// <see cref="From"/> means local mode.
/// </summary>
internal sealed record ClusterOptions(string Host, int Port, string? PublicHost, IReadOnlyList<string> SeedNodes, int MinWorkers)
{
    public const string DefaultHost = "0.0.0.0";
    public const int DefaultPort = 4053;

    public static ClusterOptions? From(ParsedArgs args)
    {
        if (!args.Has("--cluster"))
        {
            foreach (var flag in new[] { "--host", "--port", "--public-host", "--seed-nodes", "--min-workers" })
                if (args.Has(flag)) throw new InputException($"{flag} needs --cluster (without it, training runs in this process)");
            return null;
        }
        foreach (var address in args.List("--seed-nodes"))
            if (!address.StartsWith("akka.tcp://rnn-cluster@", StringComparison.Ordinal))
                throw new InputException($"--seed-nodes: expected addresses like akka.tcp://rnn-cluster@HOST:PORT, got '{address}'");
        return new ClusterOptions(
            args.Text("--host") ?? DefaultHost,
            args.Port("--port") ?? DefaultPort,
            args.Text("--public-host"),
            args.List("--seed-nodes"),
            args.PositiveInt("--min-workers") ?? 1);
    }
}
