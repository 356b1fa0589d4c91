namespace Rnn.Math.Training;

/// <summary>
/// How a stateful model reads its data (docs/stateful.md): <see cref="Samples"/> consecutive windows, in the data's
/// order, cut into <see cref="Count"/> streams of consecutive windows, stream s being the windows
/// [<see cref="Start"/>(s), <see cref="Start"/>(s + 1)), so the streams' lengths differ by one at most. Minibatch k
/// holds window k of every stream that has one, in stream order: the state a stream's window ends with starts its
/// next window, one minibatch later.
/// </summary>
public sealed record StreamLayout
{
    public StreamLayout(int samples, int count)
    {
        if (count < 1) throw new ArgumentOutOfRangeException(nameof(count), "a stream layout needs at least one stream");
        if (samples < count) throw new ArgumentOutOfRangeException(nameof(samples), $"{count} streams need at least {count} windows, there are {samples}");
        (Samples, Count) = (samples, count);
    }

    public int Samples { get; }

    public int Count { get; }

    /// <summary>The first window of stream <paramref name="stream"/> (<see cref="Samples"/> for <see cref="Count"/>).</summary>
    public int Start(int stream) => (int)((long)stream * Samples / Count);

    public int Length(int stream) => Start(stream + 1) - Start(stream);

    /// <summary>The windows of the longest stream: the minibatches of an epoch.</summary>
    public int Windows => (Samples + Count - 1) / Count;

    /// <summary>The stream window <paramref name="sample"/> belongs to.</summary>
    public int StreamOf(int sample)
    {
        if ((uint)sample >= (uint)Samples) throw new ArgumentOutOfRangeException(nameof(sample));
        int stream = (int)((long)sample * Count / Samples);
        while (Start(stream + 1) <= sample) stream++;
        while (Start(stream) > sample) stream--;
        return stream;
    }

    /// <summary>Window 0 of every stream, then window 1 of every stream that has one, and so on: cut into runs of <see cref="Count"/>, the minibatches.</summary>
    public int[] Order()
    {
        var order = new int[Samples];
        int next = 0;
        for (int k = 0; k < Windows; k++)
            for (int s = 0; s < Count; s++)
                if (k < Length(s)) order[next++] = Start(s) + k;
        return order;
    }
}
