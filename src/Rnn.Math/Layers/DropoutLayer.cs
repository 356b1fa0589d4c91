using System.Numerics.Tensors;
using Rnn.Math.Model;
using Rnn.Math.Training;

namespace Rnn.Math.Layers;

/// <summary>
/// Inverted dropout: while training, each element is kept with probability 1 - rate and scaled by 1/(1 - rate).
/// The mask element of (sample, position) is CounterRandom.Uniform(seed, epoch, sample id, layer index, position)
/// ≥ rate, with position = t·F + unit for a sequence (t counted from the sequence's start, not the window's) and
/// unit for a vector: a mask depends on the sample, never on the shard. At inference it is the identity.
/// </summary>
internal sealed class DropoutLayer(LayerSpec spec, float rate) : ILayer
{
    private readonly int _features = spec.OutputSize, _layerIndex = spec.Index;
    private readonly bool _inputIsSequence = spec.InputIsSequence;
    private readonly float _rate = rate;
    private float[] _mask = [];      // (rows, F): 0 or 1/(1 - rate)
    private float[] _output = [];    // (rows, F)
    private float[] _dInput = [];    // (rows, F)

    private bool IsActive(in Pass pass) => pass.Dropout is not null && _rate > 0f;

    /// <summary>The mask, the output and the input gradient, each (rows, F).</summary>
    public IEnumerable<double> Buffers(double samples, double steps)
    {
        double values = _rate > 0f ? samples * (_inputIsSequence ? steps : 1) * _features : 0;
        return [values, values, values];
    }

    public float[] Forward(ReadOnlySpan<float> parameters, float[] input, in Pass pass)
    {
        if (!IsActive(pass)) return input;
        var key = pass.Dropout!.Value;
        int rowsPerSample = _inputIsSequence ? pass.Steps : 1, rows = pass.Samples * rowsPerSample;
        Scratch.Ensure(ref _mask, rows * _features);
        float scale = 1f / (1f - _rate);
        for (int s = 0; s < pass.Samples; s++)
        {
            ulong sampleId = (ulong)pass.SampleIds![s];
            for (int t = 0; t < rowsPerSample; t++)
            {
                int row = s * rowsPerSample + t;
                ulong first = _inputIsSequence ? (ulong)((pass.FirstStep + t) * _features) : 0UL;
                for (int u = 0; u < _features; u++)
                {
                    float draw = CounterRandom.Uniform(key.Seed, (ulong)key.Epoch, sampleId, (ulong)_layerIndex, first + (ulong)u);
                    _mask[row * _features + u] = draw >= _rate ? scale : 0f;
                }
            }
        }
        Scratch.Ensure(ref _output, rows * _features);
        for (int row = 0; row < rows; row++)
            TensorPrimitives.Multiply(input.AsSpan(row * _features, _features), _mask.AsSpan(row * _features, _features), _output.AsSpan(row * _features, _features));
        return _output;
    }

    public float[]? Backward(ReadOnlySpan<float> parameters, float[] outputGradient, in Pass pass, GradientTarget target, bool wantInputGradient)
    {
        if (!IsActive(pass)) return outputGradient;
        int rows = pass.Samples * (_inputIsSequence ? pass.Steps : 1);
        Scratch.Ensure(ref _dInput, rows * _features);
        for (int row = 0; row < rows; row++)
            TensorPrimitives.Multiply(outputGradient.AsSpan(row * _features, _features), _mask.AsSpan(row * _features, _features), _dInput.AsSpan(row * _features, _features));
        return _dInput;
    }
}
