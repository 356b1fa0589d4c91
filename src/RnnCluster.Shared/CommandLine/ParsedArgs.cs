using System.Globalization;
using Rnn.Math;
using Rnn.Math.Config;

namespace RnnCluster.Shared.CommandLine;

/// <summary>
/// The flags given to one command, checked against its <see cref="CommandSpec"/>. Every accessor that can
/// fail throws <see cref="InputException"/> with a message naming the flag (or its environment variable)
/// and what was expected.
/// </summary>
public sealed class ParsedArgs
{
    private readonly Dictionary<string, string> values;
    private readonly HashSet<string> switches;
    private readonly Func<string, string?> environment;

    private ParsedArgs(CommandSpec command, Dictionary<string, string> values, HashSet<string> switches,
        Func<string, string?> environment)
    {
        Command = command;
        this.values = values;
        this.switches = switches;
        this.environment = environment;
    }

    public CommandSpec Command { get; }

    /// <summary>An environment variable that belongs to no flag, read from the same environment as the flags' own.</summary>
    public string? Variable(string name) => environment(name);

    /// <summary>Reads <c>--flag value</c>, <c>--flag=value</c> and switches; rejects anything else.</summary>
    public static ParsedArgs Parse(CommandSpec command, IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var switches = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var word = args[i];
            if (word == "-h") word = "--help";
            if (!word.StartsWith("--", StringComparison.Ordinal))
                throw new InputException($"{command.Title}: unexpected argument '{word}'; flags start with --, " +
                    $"see '{command.Invocation} --help'");

            var equals = word.IndexOf('=');
            var name = equals < 0 ? word : word[..equals];
            var spec = command.Find(name) ?? throw new InputException(
                $"unknown flag {name} for '{command.Title}'{NearestName.Hint(name, command.Flags.Select(f => f.Name))}");

            if (spec.Kind == FlagKind.Switch)
            {
                if (equals >= 0) throw new InputException($"{name} takes no value, got '{word[(equals + 1)..]}'");
                switches.Add(name);
                continue;
            }

            string value;
            if (equals >= 0) value = word[(equals + 1)..];
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) value = args[++i];
            else throw new InputException($"{name}: expected {spec.Placeholder} after the flag");

            if (!values.TryAdd(name, value)) throw new InputException($"{name} is given twice");
        }
        return new ParsedArgs(command, values, switches, environment);
    }

    public bool Has(string flag) => switches.Contains(flag) || values.ContainsKey(flag);

    /// <summary>The flag's value, else its environment variable's, else null.</summary>
    public string? Text(string flag) => Lookup(flag)?.Value;

    /// <summary>Where the flag's value came from, for messages: the flag, or its environment variable.</summary>
    public string Source(string flag) => Lookup(flag)?.Source ?? flag;

    public string RequiredText(string flag)
    {
        if (Text(flag) is { } text) return text;
        var spec = Command.Find(flag)!;
        var orVariable = spec.EnvVar is null ? "" : $" (or {spec.EnvVar})";
        throw new InputException($"{Command.Title}: {flag} {spec.Placeholder}{orVariable} is required");
    }

    /// <summary>
    /// Whether a switch is on: given, or its environment variable set to 1 or true (0, false or empty: off).
    /// </summary>
    public bool Switch(string flag)
    {
        if (switches.Contains(flag)) return true;
        if (Command.Find(flag)?.EnvVar is not { } env || environment(env) is not { Length: > 0 } text) return false;
        return text.ToLowerInvariant() switch
        {
            "1" or "true" => true,
            "0" or "false" => false,
            _ => throw new InputException($"{env}: expected 1 or 0 (true or false), got '{text}'"),
        };
    }

    /// <summary>A path to an existing file, resolved against the current folder.</summary>
    public string RequiredFile(string flag)
    {
        var path = RequiredText(flag);
        if (Directory.Exists(path)) throw new InputException($"{flag}: '{path}' is a folder, expected a file");
        if (!File.Exists(path)) throw new InputException($"{flag}: file not found: '{path}'");
        return Path.GetFullPath(path);
    }

    /// <summary>A path to an existing folder, resolved against the current folder.</summary>
    public string RequiredFolder(string flag)
    {
        var path = RequiredText(flag);
        if (!Directory.Exists(path)) throw new InputException($"{flag}: folder not found: '{path}'");
        return Path.GetFullPath(path);
    }

    public string? OptionalFile(string flag) => Has(flag) ? RequiredFile(flag) : null;

    public int? PositiveInt(string flag) => Int(flag, 1, int.MaxValue, "a positive integer");

    public int? Port(string flag) => Int(flag, 0, 65535, "a port number from 0 to 65535 (0: any free port)");

    private int? Int(string flag, int min, int max, string expected)
    {
        if (Lookup(flag) is not var (source, text)) return null;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
            return value;
        throw new InputException($"{source}: expected {expected}, got '{text}'");
    }

    /// <summary>The comma-separated list of a flag (e.g. seed nodes), without empty entries.</summary>
    public IReadOnlyList<string> List(string flag) =>
        Text(flag)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];

    private (string Source, string Value)? Lookup(string flag)
    {
        if (values.TryGetValue(flag, out var given)) return (flag, given);
        var env = Command.Find(flag)?.EnvVar;
        return env is not null && environment(env) is { Length: > 0 } fromEnv ? (env, fromEnv) : null;
    }
}
