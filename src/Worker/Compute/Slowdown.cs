using System.Globalization;
using Rnn.Math;

namespace RnnCluster.Worker.Compute;

/// <summary>
/// A test hook, read by rnn-worker from its environment and by nothing else: makes this worker slow on purpose,
/// so that tests can show what the coordinator does with a straggler or with workers of unequal speed. Not a
/// feature: never set it in use.
/// <c>RNN_TEST_SLOWDOWN=F</c>: every shard takes F times its compute time (the worker waits the rest after
/// computing, and reports the whole as its compute time, as a slower machine would).
/// <c>RNN_TEST_STALL=N:MS</c>: the worker's N-th training shard (counted from 1) waits MS milliseconds more.
/// </summary>
public sealed record Slowdown(double Factor, int StallShard, int StallMs)
{
    public const string FactorVariable = "RNN_TEST_SLOWDOWN";
    public const string StallVariable = "RNN_TEST_STALL";

    public static readonly Slowdown None = new(1, 0, 0);

    /// <summary>The hook as the environment sets it; <see cref="None"/> without either variable. A malformed value is an <see cref="InputException"/>.</summary>
    public static Slowdown FromEnvironment(Func<string, string?> environment)
    {
        var slowdown = None;
        if (environment(FactorVariable) is { Length: > 0 } factor)
        {
            if (!double.TryParse(factor, NumberStyles.Float, CultureInfo.InvariantCulture, out var f) || !(f >= 1) || double.IsInfinity(f))
                throw new InputException($"{FactorVariable}={factor}: expected a factor of at least 1");
            slowdown = slowdown with { Factor = f };
        }
        if (environment(StallVariable) is { Length: > 0 } stall)
        {
            var parts = stall.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[0], CultureInfo.InvariantCulture, out var shard) || shard < 1
                || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var ms) || ms < 0)
                throw new InputException($"{StallVariable}={stall}: expected SHARD:MILLISECONDS, e.g. 20:5000");
            slowdown = slowdown with { StallShard = shard, StallMs = ms };
        }
        return slowdown;
    }

    /// <summary>How much longer a shard that took <paramref name="compute"/> should take; <paramref name="trainingShard"/> counts this worker's training shards from 1 (0 for validation).</summary>
    public TimeSpan Extra(TimeSpan compute, int trainingShard)
        => compute * (Factor - 1) + (trainingShard == StallShard ? TimeSpan.FromMilliseconds(StallMs) : TimeSpan.Zero);
}
