using RnnCluster.Coordinator.Cli;

namespace RnnCluster.Tests.Cli;

/// <summary>One in-process run of rnn-cluster: its exit code and what it printed.</summary>
internal sealed record CliRun(int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public static CliRun Of(params string[] args) => With(new Dictionary<string, string>(), args);

    public static CliRun With(IReadOnlyDictionary<string, string> environment, params string[] args) =>
        Run(environment, CancellationToken.None, args);

    /// <summary>A run whose user pressed Ctrl+C before it could finish.</summary>
    public static CliRun Cancelled(params string[] args) => Run(new Dictionary<string, string>(), new CancellationToken(canceled: true), args);

    private static CliRun Run(IReadOnlyDictionary<string, string> environment, CancellationToken cancellation, string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var context = new CliContext(stdout, stderr, name => environment.GetValueOrDefault(name), cancellation);
        var exitCode = RnnClusterApp.Run(args, context);
        return new CliRun(exitCode, stdout.ToString(), stderr.ToString());
    }
}
