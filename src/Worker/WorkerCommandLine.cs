using Rnn.Math;
using RnnCluster.Shared.CommandLine;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Worker;

/// <summary>
/// rnn-worker's flags (docs/contract.md), read by the parser rnn-cluster uses; each may come from its RNN_*
/// variable, and a flag wins over its variable.
/// </summary>
internal sealed record WorkerCommandLine(NodeOptions Node, int Threads, bool Once)
{
    /// <summary>Where this node keeps copies of data files, looked for by name when not at the coordinator's path (`--data-dir`).</summary>
    public string? DataDirectory { get; init; }

    /// <summary>A test hook (see <see cref="Slowdown"/>), from the environment only; not a flag and not in --help.</summary>
    public Slowdown Slowdown { get; init; } = Slowdown.None;

    /// <summary>Faults to commit on purpose, from the test-only variable <see cref="TestFaults.Variable"/>; none in normal use.</summary>
    public TestFaults Faults { get; init; } = TestFaults.None;

    public static readonly CommandSpec Spec = new("rnn-worker", null,
        "join an RnnCluster cluster as a worker and serve its coordinators, one after another",
        [
            .. NodeFlags.Specs(defaultPort: 0, "the coordinator's address, akka.tcp://rnn-cluster@HOST:PORT (required without --discovery)"),
            new("--threads", FlagKind.Value, "N", "threads computing a shard (default 1)", "RNN_THREADS"),
            new("--data-dir", FlagKind.Value, "DIR",
                "this node's copies of data files: a job's file that is not at the coordinator's path is mapped from DIR/its name (checked by SHA-256)", "RNN_DATA_DIR"),
            new("--once", FlagKind.Switch, "", "exit after one job: 0 when it finished, 1 when its coordinator is lost for a minute", "RNN_ONCE"),
            FlagSpec.HelpFlag,
        ]);

    /// <summary>Throws <see cref="InputException"/> naming the flag (or variable) and what was expected.</summary>
    public static WorkerCommandLine From(ParsedArgs args)
    {
        var node = NodeFlags.Read(args, defaultPort: 0);
        // Without a seed node (or discovery) a worker would form a cluster of its own and wait there for ever.
        if (node.SeedNodes.Count == 0 && node.Discovery is null)
            throw new InputException(args.Has("--seed-nodes")
                ? $"{args.Source("--seed-nodes")}: expected {ActorSystemSettings.AddressPrefix}HOST:PORT[,...]"
                : $"{Spec.Title}: --seed-nodes ADDR,... (or RNN_SEED_NODES) is required, or --discovery MODE to find the cluster by bootstrap");
        return new WorkerCommandLine(node, args.PositiveInt("--threads") ?? 1, args.Switch("--once"))
        {
            Faults = TestFaults.Parse(args.Variable(TestFaults.Variable)),
            DataDirectory = args.Has("--data-dir") ? args.RequiredFolder("--data-dir") : null,
        };
    }
}
