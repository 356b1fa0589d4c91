namespace Rnn.Math.Layers;

/// <summary>
/// One layer as a forward/backward pair. Activations are batch-first: a sequence is (n, T, F) and a vector
/// per sample is (n, 1, F), so the rows of a group of samples are contiguous. Returned buffers belong to the
/// layer and stay valid until its next call.
/// </summary>
internal interface ILayer
{
    /// <summary>input (n, Tin, I) → output (n, Tout, O). The layer keeps a reference to input for Backward.</summary>
    float[] Forward(ReadOnlySpan<float> parameters, float[] input, in Pass pass);

    /// <summary>
    /// outputGradient (n, Tout, O) → the layer's parameter gradients per group into <paramref name="target"/>,
    /// and the input gradient (n, Tin, I) when <paramref name="wantInputGradient"/>, else null.
    /// </summary>
    float[]? Backward(ReadOnlySpan<float> parameters, float[] outputGradient, in Pass pass, GradientTarget target, bool wantInputGradient);

    /// <summary>
    /// The lengths, in floats, of the buffers the layer holds after a forward and backward pass over
    /// <paramref name="samples"/> sequences of <paramref name="steps"/> timesteps: what its memory grows to. Doubles,
    /// because samples × steps × gate rows can overflow a long; this is asked before anything is allocated.
    /// </summary>
    IEnumerable<double> Buffers(double samples, double steps);
}

/// <summary>
/// A layer whose state at the end of a window can start the next window of the same stream: a stateful recurrent
/// layer. States are rows of (n, width) floats, one row per sample, each stateful layer's columns from its offset.
/// </summary>
internal interface IStatefulLayer
{
    /// <summary>The floats of one sample's state; 0 for a layer that is not stateful.</summary>
    int StateWidth { get; }

    /// <summary>Makes the next pass over <paramref name="n"/> samples begin from these states when it starts from state (<see cref="Pass.FromState"/>).</summary>
    void LoadState(ReadOnlySpan<float> states, int n, int width, int offset);

    /// <summary>The state the last pass over <paramref name="n"/> samples ended with.</summary>
    void SaveState(Span<float> states, int n, int width, int offset);
}
