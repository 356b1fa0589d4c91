using Onnx;
using Rnn.Math.Export;
using Rnn.Math.Layers;
using Rnn.Math.Model;

namespace Rnn.Math.LayerTypes;

/// <summary>`gru`: PyTorch's nn.GRU (gates r, z, n; the reset gate scales W_hn h + b_hn, Keras's reset_after).</summary>
public sealed record GruConfig(int Units, bool ReturnSequences = false) : RecurrentConfig(Units, ReturnSequences)
{
    internal static readonly LayerType Type = new("gru", Fields, layer => WithOptions(new GruConfig(ReadUnits(layer), ReadReturnSequences(layer)), layer));

    public override string TypeName => Type.Name;

    public override int Gates => 3;

    // ONNX's GRU stacks z, r, h; PyTorch's r, z, n. linear_before_reset = 1 is PyTorch's n = tanh(x_n + r·(W_hn h + b_hn)).
    private protected override string OnnxOperator => "GRU";

    private protected override int[] OnnxGateOrder => [1, 0, 2];

    private protected override AttributeProto[] OnnxAttributes => [OnnxGraph.Int("linear_before_reset", 1)];

    private protected override ILayer BuildDirection(LayerSpec spec) => new GruLayer(spec);
}
