using System.Globalization;
using Rnn.Math;

namespace RnnCluster.Shared.Compute;

/// <summary>
/// A test hook, read by rnn-worker from its environment and by nothing else: makes this worker slow on purpose,
/// so that tests can show what the coordinator does with a straggler or with workers of unequal speed. Not a
/// feature: never set it in use. A slowdown is a wait on the worker's own thread after it has computed, counted
/// in the compute time it reports, as a slower machine's would be; a wait takes no processor, so a test's timing
/// does not depend on how busy the machine is.
/// <c>RNN_TEST_MS_PER_SAMPLE=X</c>: every shard takes X milliseconds more per sample.
/// <c>RNN_TEST_STALL=N:MS</c>: the worker's N-th training shard (counted from 1) takes MS milliseconds more.
/// </summary>
public sealed record Slowdown(double MsPerSample, int StallShard, int StallMs)
{
    public const string PerSampleVariable = "RNN_TEST_MS_PER_SAMPLE";
    public const string StallVariable = "RNN_TEST_STALL";

    public static readonly Slowdown None = new(0, 0, 0);

    /// <summary>The hook as the environment sets it; <see cref="None"/> without either variable. A malformed value is an <see cref="InputException"/>.</summary>
    public static Slowdown FromEnvironment(Func<string, string?> environment)
    {
        var slowdown = None;
        if (environment(PerSampleVariable) is { Length: > 0 } perSample)
        {
            if (!double.TryParse(perSample, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) || !(ms >= 0) || double.IsInfinity(ms))
                throw new InputException($"{PerSampleVariable}={perSample}: expected milliseconds, at least 0");
            slowdown = slowdown with { MsPerSample = ms };
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

    /// <summary>
    /// How much longer a shard of <paramref name="samples"/> samples should take; <paramref name="trainingShard"/>
    /// counts this worker's training shards from 1 (0 for a validation shard).
    /// </summary>
    public TimeSpan Extra(int samples, int trainingShard)
        => TimeSpan.FromMilliseconds(MsPerSample * samples + (trainingShard == StallShard ? StallMs : 0));
}
