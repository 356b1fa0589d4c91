using Rnn.Math.Training;

namespace Rnn.Math.Data.Synthetic;

/// <summary>
/// Noisy sine waves of random phase and period: each sample is `timesteps` noisy readings of
/// sin(2π t / period + phase), and the target is the wave's next value without noise. A model must infer
/// phase and period from the window; the noise keeps it from reading the answer off the last sample.
/// </summary>
public static class SineWaves
{
    public const float MinPeriod = 8f, MaxPeriod = 32f, NoiseAmplitude = 0.1f;

    private const ulong PhaseStream = 0x51E0, PeriodStream = 0x51E1, NoiseStream = 0x51E2;

    /// <summary>X (samples, timesteps, 1); Y (samples, 1).</summary>
    public static Dataset Generate(int samples, int timesteps, ulong seed)
    {
        var x = new float[samples * timesteps];
        var y = new float[samples];
        for (int n = 0; n < samples; n++)
        {
            double phase = 2 * System.Math.PI * CounterRandom.Uniform(seed, PhaseStream, (ulong)n);
            double period = MinPeriod + (MaxPeriod - MinPeriod) * CounterRandom.Uniform(seed, PeriodStream, (ulong)n);
            for (int t = 0; t < timesteps; t++)
            {
                float noise = NoiseAmplitude * (2f * CounterRandom.Uniform(seed, NoiseStream, (ulong)n, (ulong)t) - 1f);
                x[n * timesteps + t] = (float)System.Math.Sin(2 * System.Math.PI * t / period + phase) + noise;
            }
            y[n] = (float)System.Math.Sin(2 * System.Math.PI * timesteps / period + phase);
        }
        return new Dataset(x, y, samples, timesteps, 1, 1, SequenceTargets: false, TrainCount: samples);
    }
}
