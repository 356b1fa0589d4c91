using System.Numerics.Tensors;
using Rnn.Math.Model;

namespace Rnn.Math.Layers;

/// <summary>
/// PyTorch's bidirectional=True around two one-way layers of H units each: the forward one reads x as it is, the
/// backward one reads each sample reversed from its last real step (<see cref="StepMask.ReverseStep"/>; the whole
/// sequence reversed without a mask). The output is (n, T, 2H) with [forward h_t, backward state at t], or
/// (n, 2H) with [forward state after the last real step, backward state after step 0], as torch.cat([h_n[0],
/// h_n[1]], 1). Each direction keeps its own tensors, so their gradients never meet; the input gradient is the sum
/// of both directions', the backward one's put back in time order. Truncated BPTT is refused for it (GradientEngine).
/// Right after an embedding both directions may read ids (<see cref="TokenInput"/>): the ids are reversed instead
/// of the rows, and each direction adds its share of the table's gradient.
/// </summary>
internal sealed class BidirectionalLayer(LayerSpec spec, ILayer forward, ILayer backward) : ILayer, ITokenReader
{
    private readonly int _inputs = spec.InputSize, _units = spec.OutputSize / 2;
    private readonly bool _returnSequences = spec.OutputIsSequence;
    private float[] _reversed = [];       // (n, T, I): the input in the backward direction's order
    private float[] _output = [];         // (n, T, 2H) or (n, 2H)
    private float[] _forwardGradient = [];  // (n, T, H) or (n, H)
    private float[] _backwardGradient = []; // (n, T, H) or (n, H), in the backward direction's order
    private float[] _dInput = [];         // (n, T, I)
    private Pass _backwardPass;
    private TokenInput? _tokens;

    public void ReadTokens(TokenInput tokens)
    {
        _tokens = tokens;
        ((ITokenReader)forward).ReadTokens(tokens);
        ((ITokenReader)backward).ReadTokens(tokens);
    }

    public IEnumerable<double> Buffers(double samples, double steps)
    {
        double rows = samples * (_returnSequences ? steps : 1);
        return [.. forward.Buffers(samples, steps), .. backward.Buffers(samples, steps),
            samples * steps * _inputs, rows * 2 * _units, rows * _units, rows * _units, samples * steps * _inputs];
    }

    /// <summary>Where step t of sample s lies in the other direction's order.</summary>
    private static int Reverse(in Pass pass, int s, int t) => pass.Mask?.ReverseStep(s, t) ?? pass.Steps - 1 - t;

    public float[] Forward(ReadOnlySpan<float> parameters, float[] input, in Pass pass)
    {
        int n = pass.Samples, T = pass.Steps, H = _units;
        _backwardPass = pass with { Mask = pass.Mask?.Reversed() };
        int width = _tokens is { Active: true } ? 1 : _inputs;
        Scratch.Ensure(ref _reversed, n * T * width);
        for (int s = 0; s < n; s++)
            for (int t = 0; t < T; t++)
                input.AsSpan((s * T + Reverse(pass, s, t)) * width, width).CopyTo(_reversed.AsSpan((s * T + t) * width, width));

        float[] ahead = forward.Forward(parameters, input, pass);
        float[] behind = backward.Forward(parameters, _reversed, _backwardPass);
        int rowsPerSample = _returnSequences ? T : 1;
        Scratch.Ensure(ref _output, n * rowsPerSample * 2 * H);
        for (int s = 0; s < n; s++)
            for (int t = 0; t < rowsPerSample; t++)
            {
                int row = s * rowsPerSample + t, other = _returnSequences ? s * T + Reverse(pass, s, t) : s;
                ahead.AsSpan(row * H, H).CopyTo(_output.AsSpan(row * 2 * H, H));
                behind.AsSpan(other * H, H).CopyTo(_output.AsSpan(row * 2 * H + H, H));
            }
        return _output;
    }

    public float[]? Backward(ReadOnlySpan<float> parameters, float[] outputGradient, in Pass pass, GradientTarget target, bool wantInputGradient)
    {
        int n = pass.Samples, T = pass.Steps, H = _units, rowsPerSample = _returnSequences ? T : 1;
        Scratch.Ensure(ref _forwardGradient, n * rowsPerSample * H);
        Scratch.Ensure(ref _backwardGradient, n * rowsPerSample * H);
        for (int s = 0; s < n; s++)
            for (int t = 0; t < rowsPerSample; t++)
            {
                int row = s * rowsPerSample + t, other = _returnSequences ? s * T + Reverse(pass, s, t) : s;
                outputGradient.AsSpan(row * 2 * H, H).CopyTo(_forwardGradient.AsSpan(row * H, H));
                outputGradient.AsSpan(row * 2 * H + H, H).CopyTo(_backwardGradient.AsSpan(other * H, H));
            }
        float[]? ahead = forward.Backward(parameters, _forwardGradient, pass, target, wantInputGradient);
        float[]? behind = backward.Backward(parameters, _backwardGradient, _backwardPass, target, wantInputGradient);
        if (!wantInputGradient || _tokens is { Active: true }) return null;

        Scratch.Ensure(ref _dInput, n * T * _inputs);
        for (int s = 0; s < n; s++)
            for (int t = 0; t < T; t++)
            {
                int row = (s * T + t) * _inputs;
                TensorPrimitives.Add(ahead!.AsSpan(row, _inputs), behind!.AsSpan((s * T + Reverse(pass, s, t)) * _inputs, _inputs), _dInput.AsSpan(row, _inputs));
            }
        return _dInput;
    }
}
