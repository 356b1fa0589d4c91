using Rnn.Math.Layers;
using Rnn.Math.Model;

namespace Rnn.Math.LayerTypes;

/// <summary>`rnn`: PyTorch's nn.RNN with tanh, h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh); one gate.</summary>
public sealed record RnnConfig(int Units, bool ReturnSequences = false) : RecurrentConfig(Units, ReturnSequences)
{
    internal static readonly LayerType Type = new("rnn", Fields, layer => WithOptions(new RnnConfig(ReadUnits(layer), ReadReturnSequences(layer)), layer));

    public override string TypeName => Type.Name;

    public override int Gates => 1;

    // ONNX's RNN defaults to tanh.
    private protected override string OnnxOperator => "RNN";

    private protected override int[] OnnxGateOrder => [0];

    private protected override ILayer BuildDirection(LayerSpec spec) => new RnnLayer(spec);
}
