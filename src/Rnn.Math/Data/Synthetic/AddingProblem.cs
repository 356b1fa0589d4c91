using Rnn.Math.Training;

namespace Rnn.Math.Data.Synthetic;

/// <summary>
/// Hochreiter and Schmidhuber's adding problem in its standard form (Le et al. 2015, Arjovsky et al. 2016):
/// each timestep carries a value drawn uniformly from [0, 1) and a marker; exactly two markers are set, one in
/// each half of the sequence, and the target is the sum of the two marked values. Predicting the mean (1)
/// scores an MSE of 2 × 1/12 ≈ 0.167, the baseline a model must beat by remembering across the sequence.
/// </summary>
public static class AddingProblem
{
    public const int Features = 2;
    public const int MinTimesteps = 2;

    /// <summary>CounterRandom stream labels, so values and markers never share draws.</summary>
    private const ulong ValueStream = 0xADD0, FirstMarkerStream = 0xADD1, SecondMarkerStream = 0xADD2;

    /// <summary>X (samples, timesteps, 2) = (value, marker); Y (samples, 1) = the sum of the marked values.</summary>
    public static Dataset Generate(int samples, int timesteps, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timesteps, MinTimesteps);
        int half = timesteps / 2;
        var x = new float[samples * timesteps * Features];
        var y = new float[samples];
        for (int n = 0; n < samples; n++)
        {
            int first = (int)(CounterRandom.Hash(seed, FirstMarkerStream, (ulong)n) % (ulong)half);
            int second = half + (int)(CounterRandom.Hash(seed, SecondMarkerStream, (ulong)n) % (ulong)(timesteps - half));
            for (int t = 0; t < timesteps; t++)
            {
                int at = (n * timesteps + t) * Features;
                x[at] = CounterRandom.Uniform(seed, ValueStream, (ulong)n, (ulong)t);
                x[at + 1] = t == first || t == second ? 1f : 0f;
            }
            y[n] = x[(n * timesteps + first) * Features] + x[(n * timesteps + second) * Features];
        }
        return new Dataset(x, y, samples, timesteps, Features, 1, SequenceTargets: false, TrainCount: samples);
    }
}
