namespace RnnCluster.Shared.CommandLine;

/// <summary>A flag either stands alone (<c>--cluster</c>) or takes the next word as its value.</summary>
public enum FlagKind { Switch, Value }

/// <summary>
/// One flag of a command. <see cref="EnvVar"/> names the environment variable that supplies the value when
/// the flag is absent (the cluster flags share them between rnn-worker and rnn-cluster).
/// </summary>
public sealed record FlagSpec(string Name, FlagKind Kind, string Placeholder, string Help, string? EnvVar = null)
{
    /// <summary>Every command's `--help` (`-h` too).</summary>
    public static readonly FlagSpec HelpFlag = new("--help", FlagKind.Switch, "", "show this help");
}

/// <summary>
/// A command: the program it belongs to, its name (none for a program without commands, like rnn-worker),
/// one line saying what it does, and the flags it accepts.
/// </summary>
public sealed record CommandSpec(string Program, string? Name, string Summary, IReadOnlyList<FlagSpec> Flags)
{
    /// <summary>What messages call the command: `train`, or `rnn-worker`.</summary>
    public string Title => Name ?? Program;

    /// <summary>What a user types: `rnn-cluster train`, or `rnn-worker`.</summary>
    public string Invocation => Name is null ? Program : $"{Program} {Name}";

    public FlagSpec? Find(string name) => Flags.FirstOrDefault(f => f.Name == name);
}
