using System.Globalization;
using Rnn.Math;

namespace RnnCluster.Shared.Protocol;

/// <summary>
/// Faults a node commits on purpose, for tests only: they show that the other side refuses a message that does
/// not fit, and that the job goes on to the same bits. They are set by the test-only environment variable
/// <see cref="Variable"/>, never by a flag, and are off in normal use. Its value is a comma-separated list of
/// <c>gradient-offset@ROUND</c>: a worker sends every partial-sum frame of its shard in round ROUND past the end of
/// the gradient, once; and <c>weights-offset@VERSION</c>: the coordinator sends every frame of weights version
/// VERSION past the end, once to each worker.
/// </summary>
public sealed record TestFaults(long? GradientOffsetRound = null, long? WeightsOffsetVersion = null)
{
    public const string Variable = "RNN_TEST_FAULT";

    public static readonly TestFaults None = new();

    /// <summary>The faults <paramref name="value"/> names; none for null or empty. Throws <see cref="InputException"/> for anything else.</summary>
    public static TestFaults Parse(string? value)
    {
        var faults = None;
        foreach (var entry in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = entry.Split('@');
            if (parts.Length != 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long at))
                throw Invalid(entry);
            faults = parts[0] switch
            {
                "gradient-offset" => faults with { GradientOffsetRound = at },
                "weights-offset" => faults with { WeightsOffsetVersion = at },
                _ => throw Invalid(entry),
            };
        }
        return faults;
    }

    private static InputException Invalid(string entry)
        => new($"{Variable}: '{entry}' is not gradient-offset@ROUND or weights-offset@VERSION (a test-only variable)");
}
