namespace RnnCluster.Coordinator.Cli;

/// <summary>The bench command's flags, checked.</summary>
internal sealed record BenchOptions(
    string ConfigPath, int Steps, int? Timesteps, int Workers, int Threads, ClusterOptions? Cluster, bool Quiet)
{
    public const int DefaultSteps = 20;

    public static BenchOptions From(ParsedArgs args) => new(
        args.RequiredFile("--config"),
        args.PositiveInt("--steps") ?? DefaultSteps,
        args.PositiveInt("--timesteps"),
        args.PositiveInt("--workers") ?? Environment.ProcessorCount,
        args.PositiveInt("--threads") ?? 1,
        ClusterOptions.From(args),
        args.Has("--quiet"));
}
