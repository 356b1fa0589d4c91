using Rnn.Math;
using RnnCluster.Worker.Hosting;

namespace RnnCluster.Worker;

/// <summary>
/// `rnn-worker --seed-nodes ADDR[,ADDR...] [--host HOST] [--port PORT] [--public-host NAME] [--threads N]`;
/// each flag may come from RNN_SEED_NODES, RNN_HOST, RNN_PORT, RNN_PUBLIC_HOST, RNN_THREADS, and a flag wins.
/// </summary>
public sealed record WorkerCommandLine(NodeOptions Node, int Threads)
{
    private static readonly string[] Flags = ["--seed-nodes", "--host", "--port", "--public-host", "--threads"];

    /// <summary>Throws <see cref="InputException"/> naming the flag (or variable) and what was expected.</summary>
    public static WorkerCommandLine Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var values = Flags.ToDictionary(flag => flag, flag => (Value: environment(EnvironmentName(flag)), Source: EnvironmentName(flag)));
        for (int i = 0; i < args.Count; i++)
        {
            string flag = args[i];
            if (!Flags.Contains(flag))
                throw new InputException($"unknown flag '{flag}'; expected one of {string.Join(", ", Flags)}");
            if (i + 1 >= args.Count) throw new InputException($"{flag}: expected a value");
            values[flag] = (args[++i], flag);
        }

        var seeds = (values["--seed-nodes"].Value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (seeds.Length == 0) throw new InputException("--seed-nodes (or RNN_SEED_NODES): expected akka.tcp://rnn-cluster@HOST:PORT[,...]");
        foreach (var seed in seeds)
            if (!seed.StartsWith(ActorSystemSettings.AddressPrefix, StringComparison.Ordinal))
                throw new InputException($"{values["--seed-nodes"].Source}: '{seed}' is not an address like {ActorSystemSettings.AddressPrefix}HOST:PORT");
        var node = new NodeOptions(
            Host: values["--host"].Value ?? NodeOptions.EveryInterface,
            Port: Integer(values["--port"], 0, 65535, 0),
            PublicHost: values["--public-host"].Value,
            SeedNodes: seeds);
        return new WorkerCommandLine(node, Integer(values["--threads"], 1, 1024, 1));
    }

    private static string EnvironmentName(string flag) => "RNN_" + flag[2..].Replace('-', '_').ToUpperInvariant();

    private static int Integer((string? Value, string Source) option, int min, int max, int fallback)
    {
        if (option.Value is null) return fallback;
        if (!int.TryParse(option.Value, out int value) || value < min || value > max)
            throw new InputException($"{option.Source}: expected an integer from {min} to {max}, got '{option.Value}'");
        return value;
    }
}
