using Rnn.Math.Training;

namespace Rnn.Math.Data.Synthetic;

/// <summary>
/// The copy-memory task (Hochreiter and Schmidhuber 1997; in the form of Arjovsky et al. 2016): a sequence
/// opens with S symbols drawn from 1..8, then blanks (0), then a delimiter (9) one step before the last S
/// positions, where the model must reproduce the symbols in order. Every other position's target is blank.
/// S is 10 when the sequence is long enough (Arjovsky's T blanks are timesteps = T + 20), else
/// (timesteps − 1) / 2. Inputs are one-hot over the 10 symbols; targets are class indices for cross-entropy.
/// </summary>
public static class CopyMemory
{
    public const int Symbols = 10, Blank = 0, Delimiter = 9, MaxCopied = 10, MinTimesteps = 3;

    private const ulong SymbolStream = 0xC0B1;

    /// <summary>How many symbols a sequence of <paramref name="timesteps"/> asks to copy.</summary>
    public static int CopiedLength(int timesteps) => System.Math.Min(MaxCopied, (timesteps - 1) / 2);

    /// <summary>X (samples, timesteps, 10) one-hot; Y (samples, timesteps, 1) class indices; 10 classes.</summary>
    public static Dataset Generate(int samples, int timesteps, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timesteps, MinTimesteps);
        int copied = CopiedLength(timesteps);
        int recallStart = timesteps - copied;
        var x = new float[samples * timesteps * Symbols];
        var y = new float[samples * timesteps];
        var input = new int[timesteps];
        for (int n = 0; n < samples; n++)
        {
            Array.Fill(input, Blank);
            for (int k = 0; k < copied; k++)
            {
                int symbol = 1 + (int)(CounterRandom.Hash(seed, SymbolStream, (ulong)n, (ulong)k) % 8);
                input[k] = symbol;
                y[n * timesteps + recallStart + k] = symbol;
            }
            input[recallStart - 1] = Delimiter;
            for (int t = 0; t < timesteps; t++) x[(n * timesteps + t) * Symbols + input[t]] = 1f;
        }
        return new Dataset(x, y, samples, timesteps, Symbols, 1, SequenceTargets: true, TrainCount: samples) { Classes = Symbols };
    }
}
