using System.Globalization;
using Rnn.Math;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Dashboard;

namespace RnnCluster.Coordinator.Cli;

/// <summary>The train command's flags, checked.</summary>
internal sealed record TrainOptions(
    string ConfigPath,
    string OutDir,
    int Workers,
    int? Epochs,
    string? InitWeights,
    ClusterOptions? Cluster,
    DashboardAddress? Dashboard,
    bool Quiet)
{
    /// <summary>The copy of the config a run keeps in its folder, as given (with --epochs applied).</summary>
    public const string SavedConfigName = "config.json";

    public static TrainOptions From(ParsedArgs args, DateTime now)
    {
        if (args.Has("--resume") || args.Has("--checkpoint-every"))
            throw new NotSupportedException("--resume and --checkpoint-every are not available yet: the training session writes no checkpoints");
        var configPath = args.RequiredFile("--config");
        var outDir = Path.GetFullPath(args.Text("--out") ?? Path.Combine("runs", now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        if (File.Exists(outDir)) throw new InputException($"--out: '{outDir}' is a file, expected a folder");

        return new TrainOptions(
            configPath,
            outDir,
            args.PositiveInt("--workers") ?? Environment.ProcessorCount,
            args.PositiveInt("--epochs"),
            args.OptionalFile("--init-weights"),
            ClusterFlags.From(args),
            args.Text("--dashboard") is { } dashboard ? DashboardAddress.Parse(dashboard, "--dashboard") : null,
            args.Has("--quiet"));
    }
}
