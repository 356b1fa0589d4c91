using Spectre.Console;

namespace RnnCluster.Coordinator.Progress;

/// <summary>Chooses how a run is shown: live bars on a terminal, plain lines otherwise, nothing with --quiet.</summary>
internal static class TrainingDisplay
{
    public static ITrainingDisplay For(TextWriter stdout, bool quiet)
    {
        if (quiet) return new QuietDisplay();
        var isTerminal = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected;
        return isTerminal ? new LiveDisplay(AnsiConsole.Console) : new PlainDisplay(stdout);
    }
}
