using System.Text;

namespace RnnCluster.Shared.CommandLine;

/// <summary>The --help text of a program and of each of its commands, generated from the command specs.</summary>
public static class Usage
{
    /// <summary>A program with commands: what it is, and one line per command.</summary>
    public static string Program(string program, string summary, IEnumerable<CommandSpec> commands)
    {
        var text = new StringBuilder();
        text.AppendLine($"{program}: {summary}");
        text.AppendLine();
        text.AppendLine($"usage: {program} <command> [flags]");
        text.AppendLine();
        text.AppendLine("commands:");
        foreach (var command in commands) text.AppendLine($"  {command.Name,-10}{command.Summary}");
        text.AppendLine();
        text.AppendLine($"run '{program} <command> --help' for the flags of a command");
        return text.ToString();
    }

    public static string Command(CommandSpec command)
    {
        var text = new StringBuilder();
        text.AppendLine($"{command.Invocation}: {command.Summary}");
        text.AppendLine();
        text.AppendLine("flags:");
        foreach (var flag in command.Flags)
        {
            var left = flag.Kind == FlagKind.Value ? $"{flag.Name} {flag.Placeholder}" : flag.Name;
            var env = flag.EnvVar is null ? "" : $" [env {flag.EnvVar}]";
            text.AppendLine($"  {left,-26}{flag.Help}{env}");
        }
        return text.ToString();
    }
}
