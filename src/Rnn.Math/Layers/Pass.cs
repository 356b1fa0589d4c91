using Rnn.Math.Training;

namespace Rnn.Math.Layers;

/// <summary>
/// The shape of one forward/backward call: <see cref="Samples"/> sequences of <see cref="Steps"/> timesteps,
/// the window that starts at timestep <see cref="FirstStep"/> of the whole sequence. Gradients are taken per
/// group of <see cref="GroupSize"/> consecutive samples. <see cref="Dropout"/> null means inference;
/// <see cref="Mask"/> null means every step is real. <see cref="FromState"/>: a stateful layer's first window starts
/// from the states loaded into it (<see cref="IStatefulLayer.LoadState"/>), not from zero.
/// </summary>
internal readonly record struct Pass(
    int Samples, int Steps, int FirstStep, int GroupSize, IReadOnlyList<int>? SampleIds, DropoutKey? Dropout, StepMask? Mask = null)
{
    public bool FromState { get; init; }

    /// <summary>Whether step t of the window (counted from <see cref="FirstStep"/>) of sample s is real.</summary>
    public bool IsReal(int sample, int t) => Mask is null || Mask.IsReal(sample, FirstStep + t);

    /// <summary>The window's steps that any sample still needs; the steps after them are padding for every sample.</summary>
    public int Extent => Mask?.Extent(FirstStep, Steps) ?? Steps;

    public int GroupCount => (Samples + GroupSize - 1) / GroupSize;

    public int GroupStart(int group) => group * GroupSize;

    public int GroupEnd(int group) => System.Math.Min((group + 1) * GroupSize, Samples);
}

/// <summary>Where a backward pass writes: one gradient buffer per group, overwritten or added to.</summary>
internal readonly record struct GradientTarget(IReadOnlyList<float[]> Groups, bool Accumulate);
