using System.Numerics.Tensors;
using Rnn.Math.Model;

namespace Rnn.Math.Layers;

/// <summary>
/// Rows of the weight (V, E) by token id: input (n, T, 1) ids held as floats, output (n, T, E). The weight's
/// gradient of a group adds each of its rows' output gradients to the row of that row's id, rows in ascending
/// order, so a group's gradient has the same bits wherever it is computed. It is always the first layer: it
/// gives no input gradient. Followed by a layer that reads ids through the table (<see cref="TokenInput"/>), it
/// checks the ids and passes them on as they are where the table applies; that layer then writes the table's gradient.
/// </summary>
internal sealed class EmbeddingLayer(LayerSpec spec, int vocabulary) : ILayer
{
    private readonly int _width = spec.OutputSize;
    private readonly TensorSlot _weight = spec.Slots[0];
    private float[] _output = [];  // (n, T, E)
    private float[] _ids = [];     // (n, T), the caller's
    private TokenInput? _tokens;

    public IEnumerable<double> Buffers(double samples, double steps) => [samples * steps * _width];

    /// <summary>Lets <paramref name="reader"/>, the next layer, read ids through this layer's table.</summary>
    public void FeedInto(ITokenReader reader)
    {
        _tokens = new TokenInput(_weight, vocabulary);
        reader.ReadTokens(_tokens);
    }

    public float[] Forward(ReadOnlySpan<float> parameters, float[] input, in Pass pass)
    {
        int rows = pass.Samples * pass.Steps;
        _ids = input;
        if (_tokens is not null)
        {
            _tokens.Begin(_tokens.Applies(pass));
            if (_tokens.Active)
            {
                for (int row = 0; row < rows; row++) Id(row, pass);
                return input;
            }
        }
        var weight = _weight.Of(parameters);
        Scratch.Ensure(ref _output, rows * _width);
        for (int row = 0; row < rows; row++)
            weight.Slice(Id(row, pass) * _width, _width).CopyTo(_output.AsSpan(row * _width, _width));
        return _output;
    }

    public float[]? Backward(ReadOnlySpan<float> parameters, float[] outputGradient, in Pass pass, GradientTarget target, bool wantInputGradient)
    {
        if (_tokens is { Active: true }) return null;
        for (int g = 0; g < pass.GroupCount; g++)
        {
            var gradient = _weight.Of(target.Groups[g].AsSpan());
            if (!target.Accumulate) gradient.Clear();
            for (int row = pass.GroupStart(g) * pass.Steps; row < pass.GroupEnd(g) * pass.Steps; row++)
            {
                var into = gradient.Slice(Id(row, pass) * _width, _width);
                TensorPrimitives.Add(into, outputGradient.AsSpan(row * _width, _width), into);
            }
        }
        return null;
    }

    /// <summary>The id of a row (sample, step); data loading refuses ids outside the vocabulary, and so does this, naming where.</summary>
    private int Id(int row, in Pass pass)
    {
        float value = _ids[row];
        if (value >= 0f && value < vocabulary && value == MathF.Floor(value)) return (int)value;
        int sample = row / pass.Steps, step = pass.FirstStep + row % pass.Steps;
        string which = pass.SampleIds is null ? $"sample {sample}" : $"sample {pass.SampleIds[sample]}";
        throw new InputException($"token id {value} at {which}, step {step}: expected an integer in [0, {vocabulary}) (the embedding's inputDim)");
    }
}
