using Rnn.Math;
using Rnn.Math.Config;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// The rnn-cluster program, callable in-process: picks the command, runs it, and turns every failure into
/// an exit code and a short message. User errors (<see cref="InputException"/>) exit 2 with their message
/// alone; anything else exits 1 with one line.
/// </summary>
public static class RnnClusterApp
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int UserError = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellation = default) =>
        Run(args, new CliContext(stdout, stderr, Environment.GetEnvironmentVariable, cancellation));

    internal static int Run(string[] args, CliContext context)
    {
        if (args.Length == 0)
        {
            context.Stderr.Write(Commands.ProgramHelp);
            return UserError;
        }
        if (args[0] is "--help" or "-h" or "help")
        {
            context.Stdout.Write(Commands.ProgramHelp);
            return Success;
        }

        var command = Commands.All.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            var hint = NearestName.Hint(args[0], Commands.All.Select(c => c.Title));
            context.Stderr.WriteLine($"error: unknown command '{args[0]}'{hint}");
            context.Stderr.WriteLine("run 'rnn-cluster --help' for the list of commands");
            return UserError;
        }

        try
        {
            var parsed = ParsedArgs.Parse(command, args[1..], context.Environment);
            if (parsed.Has("--help"))
            {
                context.Stdout.Write(Usage.Command(command));
                return Success;
            }
            return command.Name switch
            {
                "train" => TrainCommand.Run(parsed, context),
                "predict" => PredictCommand.Run(parsed, context),
                "evaluate" => EvaluateCommand.Run(parsed, context),
                "generate" => GenerateCommand.Run(parsed, context),
                "export" => ExportCommand.Run(parsed, context),
                "bench" => BenchCommand.Run(parsed, context),
                _ => throw new InvalidOperationException($"command '{command.Name}' has no handler"),
            };
        }
        catch (InputException e)
        {
            context.Stderr.WriteLine($"error: {e.Message}");
            return UserError;
        }
        catch (OperationCanceledException)
        {
            context.Stderr.WriteLine("cancelled");
            return Failure;
        }
        catch (Exception e)
        {
            context.Stderr.WriteLine($"error: {e.Message}");
            return Failure;
        }
    }
}

/// <summary>Where a command writes and reads its surroundings; tests pass their own.</summary>
internal sealed record CliContext(
    TextWriter Stdout, TextWriter Stderr, Func<string, string?> Environment, CancellationToken Cancellation);
