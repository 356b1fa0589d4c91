using Rnn.Math.Training;

namespace Rnn.Math.Layers;

/// <summary>
/// The shape of one forward/backward call: <see cref="Samples"/> sequences of <see cref="Steps"/> timesteps,
/// the window that starts at timestep <see cref="FirstStep"/> of the whole sequence. Gradients are taken per
/// group of <see cref="GroupSize"/> consecutive samples. <see cref="Dropout"/> null means inference.
/// </summary>
internal readonly record struct Pass(
    int Samples, int Steps, int FirstStep, int GroupSize, IReadOnlyList<int>? SampleIds, DropoutKey? Dropout)
{
    public int GroupCount => (Samples + GroupSize - 1) / GroupSize;

    public int GroupStart(int group) => group * GroupSize;

    public int GroupEnd(int group) => System.Math.Min((group + 1) * GroupSize, Samples);
}

/// <summary>Where a backward pass writes: one gradient buffer per group, overwritten or added to.</summary>
internal readonly record struct GradientTarget(IReadOnlyList<float[]> Groups, bool Accumulate);
