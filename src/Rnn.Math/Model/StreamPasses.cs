using Rnn.Math.Losses;
using Rnn.Math.Training;

namespace Rnn.Math.Model;

/// <summary>
/// A stateful model's inference over windows read as streams (<see cref="StreamLayout"/>, docs/stateful.md): window k
/// of every stream that has one in one pass, each stream starting from zero and going on from the state its window
/// before left, for k = 0, 1, and so on. Validation, evaluate and predict read data so.
/// </summary>
public static class StreamPasses
{
    /// <summary>
    /// The loss and metric sums of streams [<paramref name="first"/>, <paramref name="end"/>) over all their windows,
    /// window k's sums added in order of k: the same bits wherever they are computed. <paramref name="gather"/> gives
    /// the samples of the given window ids, in that order, told the ids of the window after (null at the last), which
    /// it may read ahead.
    /// </summary>
    public static LossSums Evaluate(GradientEngine engine, ReadOnlySpan<float> parameters, StreamLayout streams, int first, int end,
        Func<int[], int[]?, ShardInput> gather)
    {
        var sums = new LossSums[1];
        var total = default(LossSums);
        var states = new StreamStates(engine.StateWidth, first, end);
        var steps = Steps(streams, first, end).ToList();
        for (int k = 0; k < steps.Count; k++)
        {
            var (ids, alive) = steps[k];
            var rows = states.Rows(alive);
            engine.EvaluateGroups(parameters, gather(ids, k + 1 < steps.Count ? steps[k + 1].Ids : null) with { State = rows }, ids.Length, sums);
            total += sums[0];
            states.Update(engine, rows, alive);
        }
        return total;
    }

    /// <summary>
    /// The outputs for every window of x (windows, T, I), as <see cref="GradientEngine.Predict"/> gives them, with the
    /// windows read as <paramref name="streams"/>: output row w is window w's, whichever step computed it.
    /// </summary>
    public static void Predict(GradientEngine engine, ReadOnlySpan<float> parameters, float[] x, int timesteps, Span<float> output,
        StreamLayout streams, IReadOnlyList<int>? lengths = null)
    {
        var network = engine.Network;
        int xWidth = timesteps * network.InputSize, outWidth = (network.OutputIsSequence ? timesteps : 1) * network.OutputSize;
        var states = new StreamStates(engine.StateWidth, 0, streams.Count);
        foreach (var (ids, alive) in Steps(streams, 0, streams.Count))
        {
            var windowX = new float[ids.Length * xWidth];
            for (int i = 0; i < ids.Length; i++) x.AsSpan(ids[i] * xWidth, xWidth).CopyTo(windowX.AsSpan(i * xWidth));
            var windowOut = new float[ids.Length * outWidth];
            var rows = states.Rows(alive);
            engine.Predict(parameters, windowX, ids.Length, timesteps, windowOut, lengths is null ? null : [.. ids.Select(id => lengths[id])], rows);
            for (int i = 0; i < ids.Length; i++) windowOut.AsSpan(i * outWidth, outWidth).CopyTo(output.Slice(ids[i] * outWidth, outWidth));
            states.Update(engine, rows, alive);
        }
    }

    /// <summary>For k = 0, 1, ...: the window ids of step k of streams [first, end) that have a window k, and those streams.</summary>
    private static IEnumerable<(int[] Ids, int[] Alive)> Steps(StreamLayout streams, int first, int end)
    {
        int windows = Enumerable.Range(first, end - first).Max(streams.Length);
        for (int k = 0; k < windows; k++)
        {
            int[] alive = [.. Enumerable.Range(first, end - first).Where(s => k < streams.Length(s))];
            yield return ([.. alive.Select(s => streams.Start(s) + k)], alive);
        }
    }

    /// <summary>The carried state of streams [first, end), one row of <c>width</c> each, zero to begin with.</summary>
    private sealed class StreamStates(int width, int first, int end)
    {
        private readonly float[] _states = new float[(end - first) * width];

        /// <summary>The rows of <paramref name="alive"/>, in that order, as a pass's starting states.</summary>
        public float[] Rows(int[] alive)
        {
            var rows = new float[alive.Length * width];
            for (int i = 0; i < alive.Length; i++) _states.AsSpan((alive[i] - first) * width, width).CopyTo(rows.AsSpan(i * width));
            return rows;
        }

        /// <summary>Keeps the states the engine's last pass over <paramref name="alive"/> ended with, through <paramref name="rows"/>.</summary>
        public void Update(GradientEngine engine, float[] rows, int[] alive)
        {
            engine.SaveState(rows, alive.Length);
            for (int i = 0; i < alive.Length; i++) rows.AsSpan(i * width, width).CopyTo(_states.AsSpan((alive[i] - first) * width));
        }
    }
}
