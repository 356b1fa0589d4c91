using System.Numerics.Tensors;
using Rnn.Math.Config;
using Rnn.Math.Kernels;
using Rnn.Math.Model;

namespace Rnn.Math.Layers;

/// <summary>
/// y = act(x Wᵀ + b) on every row: per timestep after a sequence, per sample after a vector.
/// Shapes: x (rows, I), W (O, I), b (O), y (rows, O) with rows = n·T or n.
/// </summary>
internal sealed class DenseLayer : ILayer
{
    private readonly int _inputs, _units;
    private readonly bool _inputIsSequence;
    private readonly Activation _activation;
    private readonly TensorSlot _weight, _bias;
    private float[] _weightT = [];  // (I, O)
    private float[] _output = [];   // (rows, O)
    private float[] _dPre = [];     // (rows, O): gradient of the pre-activation
    private float[] _dInput = [];   // (rows, I)
    private float[] _input = [];    // (rows, I), the caller's

    /// <param name="activation">The activation to apply; linear when the loss takes the pre-activation (softmax into cross-entropy).</param>
    public DenseLayer(LayerSpec spec, Activation activation)
    {
        (_inputs, _units, _inputIsSequence, _activation) = (spec.InputSize, spec.OutputSize, spec.InputIsSequence, activation);
        (_weight, _bias) = (spec.Slots[0], spec.Slots[1]);
    }

    private int RowsPerSample(in Pass pass) => _inputIsSequence ? pass.Steps : 1;

    /// <summary>Wᵀ, the output, the pre-activation's gradient (with an activation) and the input gradient.</summary>
    public IEnumerable<double> Buffers(double samples, double steps)
    {
        double rows = samples * (_inputIsSequence ? steps : 1);
        return [(double)_inputs * _units, rows * _units, _activation == Activation.Linear ? 0 : rows * _units, rows * _inputs];
    }

    public float[] Forward(ReadOnlySpan<float> parameters, float[] input, in Pass pass)
    {
        int rows = pass.Samples * RowsPerSample(pass);
        _input = input;
        Gemm.Transpose(_weight.Of(parameters), _units, _inputs, Scratch.Ensure(ref _weightT, _inputs * _units));
        // y (rows, O) = x (rows, I) · Wᵀ (I, O)
        Gemm.Multiply(rows, _units, _inputs, input, _inputs, 1, _weightT, _units, Scratch.Ensure(ref _output, rows * _units), _units, accumulate: false);
        var bias = _bias.Of(parameters);
        for (int row = 0; row < rows; row++)
        {
            var y = _output.AsSpan(row * _units, _units);
            TensorPrimitives.Add(y, bias, y);
            Activate(y);
        }
        return _output;
    }

    private void Activate(Span<float> y)
    {
        switch (_activation)
        {
            case Activation.Tanh: TensorPrimitives.Tanh(y, y); break;
            case Activation.Sigmoid: TensorPrimitives.Sigmoid(y, y); break;
            case Activation.Relu: TensorPrimitives.Max(y, 0f, y); break;
            case Activation.Softmax: Elementwise.Softmax(y); break;
        }
    }

    public float[]? Backward(ReadOnlySpan<float> parameters, float[] outputGradient, in Pass pass, GradientTarget target, bool wantInputGradient)
    {
        int rowsPerSample = RowsPerSample(pass), rows = pass.Samples * rowsPerSample;
        float[] dPre = outputGradient;
        if (_activation != Activation.Linear)
        {
            dPre = Scratch.Ensure(ref _dPre, rows * _units);
            for (int row = 0; row < rows; row++)
                ActivationBackward(_output.AsSpan(row * _units, _units), outputGradient.AsSpan(row * _units, _units), dPre.AsSpan(row * _units, _units));
        }

        // dW (O, I) = Σ dPreᵀ x and db (O) = Σ dPre, per group
        GroupGradients.Weight(dPre, _units, _input, _inputs, rowsPerSample, pass, target, _weight);
        GroupGradients.Bias(dPre, _units, rowsPerSample, pass, target, _bias);
        if (!wantInputGradient) return null;

        // dx (rows, I) = dPre (rows, O) · W (O, I)
        Gemm.Multiply(rows, _inputs, _units, dPre, _units, 1, _weight.Of(parameters), _inputs, Scratch.Ensure(ref _dInput, rows * _inputs), _inputs, accumulate: false);
        return _dInput;
    }

    /// <summary>dPre from the activation's output y and dy, one row.</summary>
    private void ActivationBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dPre)
    {
        switch (_activation)
        {
            case Activation.Tanh: Elementwise.TanhBackward(y, dy, dPre); break;
            case Activation.Sigmoid: Elementwise.SigmoidBackward(y, dy, dPre); break;
            case Activation.Relu:
                for (int j = 0; j < y.Length; j++) dPre[j] = y[j] > 0f ? dy[j] : 0f;
                break;
            case Activation.Softmax:
                // dPre = y ⊙ (dy - <dy, y>)
                TensorPrimitives.Subtract(dy, TensorPrimitives.Dot(dy, y), dPre);
                TensorPrimitives.Multiply(dPre, y, dPre);
                break;
        }
    }
}
