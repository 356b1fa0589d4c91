using RnnCluster.Coordinator.Plots;

namespace RnnCluster.Coordinator.Cli;

/// <summary>The flags of predict and evaluate, checked: a model folder, an input file, where to write.</summary>
internal sealed record PredictOptions(string ModelDir, string Input, string? Output, string? Plot, bool Quiet)
{
    public static PredictOptions From(ParsedArgs args)
    {
        var plot = args.Has("--plot") ? Path.GetFullPath(args.RequiredText("--plot")) : null;
        if (plot is not null) PlotFile.Check(plot, "--plot");
        return new(
            args.RequiredFolder("--model"),
            args.RequiredFile("--input"),
            args.Has("--output") ? Path.GetFullPath(args.RequiredText("--output")) : null,
            plot,
            args.Has("--quiet"));
    }
}
