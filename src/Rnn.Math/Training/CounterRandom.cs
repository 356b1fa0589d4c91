namespace Rnn.Math.Training;

/// <summary>
/// Stateless randomness: every draw is a pure function of its key, so a dropout mask or a shuffle depends on
/// (seed, epoch, sample, layer, position) and never on which worker drew it or in what order.
/// The mixer is SplitMix64's finaliser applied to each key word in turn.
/// </summary>
public static class CounterRandom
{
    /// <summary>A 64-bit hash of the key words; well mixed, so consecutive counters give independent draws.</summary>
    public static ulong Hash(ulong a, ulong b = 0, ulong c = 0, ulong d = 0, ulong e = 0)
    {
        ulong h = Mix(a + 0x9E3779B97F4A7C15UL);
        h = Mix(h ^ (b + 0xBF58476D1CE4E5B9UL));
        h = Mix(h ^ (c + 0x94D049BB133111EBUL));
        h = Mix(h ^ (d + 0x2545F4914F6CDD1DUL));
        return Mix(h ^ (e + 0xD6E8FEB86659FD93UL));
    }

    /// <summary>A float uniform in [0, 1) with 24 random bits, from the key.</summary>
    public static float Uniform(ulong a, ulong b = 0, ulong c = 0, ulong d = 0, ulong e = 0)
        => (Hash(a, b, c, d, e) >> 40) * (1f / (1 << 24));

    /// <summary>The permutation of 0..n-1 for (seed, epoch): Fisher-Yates driven by hashed counters.</summary>
    public static int[] Permutation(int n, ulong seed, ulong epoch)
    {
        var order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)(Hash(seed, epoch, (ulong)i, 0x5348554646UL) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
