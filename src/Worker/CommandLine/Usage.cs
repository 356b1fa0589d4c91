using System.Text;

namespace RnnCluster.Coordinator.Cli;

/// <summary>The --help text of the program and of each command, generated from the command specs.</summary>
internal static class Usage
{
    public static string Program()
    {
        var text = new StringBuilder();
        text.AppendLine("rnn-cluster: train recurrent networks (RNN, LSTM, GRU) on one machine or an Akka.NET cluster");
        text.AppendLine();
        text.AppendLine("usage: rnn-cluster <command> [flags]");
        text.AppendLine();
        text.AppendLine("commands:");
        foreach (var command in Commands.All) text.AppendLine($"  {command.Name,-10}{command.Summary}");
        text.AppendLine();
        text.AppendLine("run 'rnn-cluster <command> --help' for the flags of a command");
        return text.ToString();
    }

    public static string Command(CommandSpec command)
    {
        var text = new StringBuilder();
        text.AppendLine($"rnn-cluster {command.Name}: {command.Summary}");
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
