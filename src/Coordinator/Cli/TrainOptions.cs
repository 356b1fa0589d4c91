using System.Globalization;
using Rnn.Math;
using RnnCluster.Coordinator.Cluster;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// The train command's flags, checked. With --resume the run continues in that folder, and the config is
/// the one the run saved there unless --config names another.
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
    bool Quiet)
{
    /// <summary>The copy of the config a run keeps in its folder, so that --resume needs nothing else.</summary>
    public const string SavedConfigName = "config.json";

    public static TrainOptions From(ParsedArgs args, DateTime now)
    {
        string outDir;
        string configPath;
        var resume = args.Has("--resume");
        if (resume)
        {
            if (args.Has("--out")) throw new InputException("--out and --resume cannot be combined: a resumed run writes to its own folder");
            if (args.Has("--init-weights")) throw new InputException("--init-weights and --resume cannot be combined: a resumed run starts from its checkpoint");
            outDir = args.RequiredFolder("--resume");
            var saved = Path.Combine(outDir, SavedConfigName);
            configPath = args.OptionalFile("--config") ?? (File.Exists(saved)
                ? saved
                : throw new InputException($"--resume: '{outDir}' holds no {SavedConfigName}; give --config"));
        }
        else
        {
            configPath = args.RequiredFile("--config");
            outDir = Path.GetFullPath(args.Text("--out") ?? Path.Combine("runs", now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)));
            if (File.Exists(outDir)) throw new InputException($"--out: '{outDir}' is a file, expected a folder");
        }

        return new TrainOptions(
            configPath,
            outDir,
            args.PositiveInt("--workers") ?? Environment.ProcessorCount,
            args.PositiveInt("--epochs"),
            args.OptionalFile("--init-weights"),
            args.PositiveInt("--checkpoint-every"),
            resume,
            ClusterFlags.From(args),
            args.Has("--quiet"));
    }
}
