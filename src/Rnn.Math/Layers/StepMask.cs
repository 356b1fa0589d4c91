namespace Rnn.Math.Layers;

/// <summary>
/// Which (sample, timestep) pairs of a shard are real and which are padding: steps at and after a sample's length
/// (safetensors `lengths`, PyTorch's packed sequences) and, under an embedding's maskZero, the steps whose token id
/// is 0 (Keras's mask_zero). A recurrent layer holds its state through a padded step and outputs zeros there; the
/// loss and metrics skip it. Timesteps count from the sequence's start, not a window's. A sample's
/// <see cref="End"/> is one past its last real step: a recurrent layer's last output is its state there.
/// </summary>
internal sealed class StepMask
{
    private readonly bool[] _real;  // (n, T)
    private readonly int[] _end;    // (n)

    private StepMask(int samples, int steps, bool[] real, int[] end)
    {
        (Samples, Steps, _real, _end) = (samples, steps, real, end);
    }

    public int Samples { get; }

    public int Steps { get; }

    /// <summary>
    /// The mask of <paramref name="samples"/> sequences of <paramref name="steps"/>: the first lengths[s] steps real
    /// (all when <paramref name="lengths"/> is null), and with <paramref name="zeroIds"/> ((n, T) token ids) those
    /// holding id 0 padding. Null when every step is real: unmasked passes take no detour.
    /// </summary>
    public static StepMask? Of(int samples, int steps, IReadOnlyList<int>? lengths, ReadOnlySpan<float> zeroIds)
    {
        if (lengths is null && zeroIds.IsEmpty) return null;
        var real = new bool[samples * steps];
        var end = new int[samples];
        bool any = false;
        for (int s = 0; s < samples; s++)
        {
            int length = lengths?[s] ?? steps;
            for (int t = 0; t < steps; t++)
            {
                bool isReal = t < length && (zeroIds.IsEmpty || zeroIds[s * steps + t] != 0f);
                real[s * steps + t] = isReal;
                if (isReal) end[s] = t + 1;
                else any = true;
            }
        }
        return any ? new StepMask(samples, steps, real, end) : null;
    }

    public bool IsReal(int sample, int step) => _real[sample * Steps + step];

    /// <summary>One past the sample's last real step.</summary>
    public int End(int sample) => _end[sample];

    /// <summary>How many of the window's steps from <paramref name="first"/> any sample still needs: the rest are padding for all.</summary>
    public int Extent(int first, int steps)
    {
        int extent = 0;
        for (int s = 0; s < Samples; s++) extent = System.Math.Max(extent, System.Math.Min(_end[s], first + steps) - first);
        return extent;
    }

    /// <summary>Real (sample, step) pairs among the samples [first, end): the count behind a masked mean.</summary>
    public int RealSteps(int first, int end)
    {
        int count = 0;
        for (int i = first * Steps; i < end * Steps; i++) if (_real[i]) count++;
        return count;
    }

    /// <summary>
    /// Step t of the reverse direction of sample s: End(s) - 1 - t within the sample's span, itself after it. The
    /// backward direction of a bidirectional layer reads each sample reversed from its last real step, as PyTorch's
    /// packed sequences do; the map is its own inverse.
    /// </summary>
    public int ReverseStep(int sample, int t) => t < _end[sample] ? _end[sample] - 1 - t : t;

    /// <summary>The mask of the reversed sequences.</summary>
    public StepMask Reversed()
    {
        var real = new bool[_real.Length];
        var end = new int[Samples];
        for (int s = 0; s < Samples; s++)
            for (int t = 0; t < Steps; t++)
            {
                bool isReal = _real[s * Steps + ReverseStep(s, t)];
                real[s * Steps + t] = isReal;
                if (isReal) end[s] = t + 1;
            }
        return new StepMask(Samples, Steps, real, end);
    }
}
