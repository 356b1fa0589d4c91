namespace RnnCluster.Coordinator.Cli;

/// <summary>A flag either stands alone (<c>--cluster</c>) or takes the next word as its value.</summary>
internal enum FlagKind { Switch, Value }

/// <summary>
/// One flag of a command. <see cref="EnvVar"/> names the environment variable that supplies the value when
/// the flag is absent (the cluster flags share them with rnn-worker).
/// </summary>
internal sealed record FlagSpec(string Name, FlagKind Kind, string Placeholder, string Help, string? EnvVar = null);

/// <summary>A command: its name, one line saying what it does, and the flags it accepts.</summary>
internal sealed record CommandSpec(string Name, string Summary, IReadOnlyList<FlagSpec> Flags)
{
    public FlagSpec? Find(string name) => Flags.FirstOrDefault(f => f.Name == name);
}
