using System.Globalization;
using Rnn.Math;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Dashboard;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// The train command's flags, checked. A resumed run (<see cref="Resume"/>) writes into its own folder, which is
/// then <see cref="OutDir"/>, and reads its config from the copy kept there unless --config names one.
/// </summary>
internal sealed record TrainOptions(
    string ConfigPath,
    string OutDir,
    int Workers,
    int? Epochs,
    string? InitWeights,
    int? CheckpointEvery,
    bool Resume,
    ClusterOptions? Cluster,
    DashboardAddress? Dashboard,
    bool Quiet)
{
    /// <summary>The copy of the config a run keeps in its folder, as given (with --epochs applied).</summary>
    public const string SavedConfigName = "config.json";

    public static TrainOptions From(ParsedArgs args, DateTime now)
    {
        var resume = args.Has("--resume") ? args.RequiredFolder("--resume") : null;
        var outDir = Path.GetFullPath(args.Text("--out") ?? resume ?? Path.Combine("runs", now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
        if (File.Exists(outDir)) throw new InputException($"--out: '{outDir}' is a file, expected a folder");
        if (resume is not null)
        {
            if (outDir != resume)
                throw new InputException($"--out: a resumed run goes on in its own folder ({resume}); drop --out");
            if (args.Has("--init-weights"))
                throw new InputException("--init-weights: a resumed run goes on from its checkpoint's weights; drop --init-weights");
        }

        return new TrainOptions(
            resume is null || args.Has("--config") ? args.RequiredFile("--config") : SavedConfig(resume),
            outDir,
            args.PositiveInt("--workers") ?? Environment.ProcessorCount,
            args.PositiveInt("--epochs"),
            args.OptionalFile("--init-weights"),
            args.PositiveInt("--checkpoint-every"),
            resume is not null,
            ClusterFlags.From(args),
            args.Text("--dashboard") is { } dashboard ? DashboardAddress.Parse(dashboard, "--dashboard") : null,
            args.Has("--quiet"));
    }

    private static string SavedConfig(string runFolder)
    {
        var path = Path.Combine(runFolder, SavedConfigName);
        if (!File.Exists(path))
            throw new InputException($"--resume {runFolder}: no {SavedConfigName} there; is it the --out folder of a train run? (or give --config)");
        return path;
    }
}
