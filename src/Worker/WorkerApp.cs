using Rnn.Math;
using RnnCluster.Shared.CommandLine;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.Hosting;
using RnnCluster.Worker.Lifecycle;

namespace RnnCluster.Worker;

/// <summary>
/// The rnn-worker program, callable in-process: reads the flags as rnn-cluster does, then serves
/// (<see cref="WorkerService"/>). Wrong flags exit 2 with one line; a node that cannot start exits 1 with one line.
/// </summary>
internal static class WorkerApp
{
    public const int UserError = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        Func<string, string?> environment, CancellationToken stop)
    {
        WorkerCommandLine options;
        try
        {
            var parsed = ParsedArgs.Parse(WorkerCommandLine.Spec, args, environment);
            if (parsed.Has("--help"))
            {
                stdout.Write(Usage.Command(WorkerCommandLine.Spec));
                return WorkerService.Finished;
            }
            options = WorkerCommandLine.From(parsed) with { Slowdown = Slowdown.FromEnvironment(environment) };
        }
        catch (InputException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return UserError;
        }

        try
        {
            return await new WorkerService(options, stdout).RunAsync(stop).ConfigureAwait(false);
        }
        catch (NodeStartException e)
        {
            stderr.WriteLine($"error: {e.Message}");
            return WorkerService.CoordinatorLost;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return WorkerService.Finished;
        }
    }
}
