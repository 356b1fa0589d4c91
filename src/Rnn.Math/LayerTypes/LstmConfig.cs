using Rnn.Math.Layers;
using Rnn.Math.Model;

namespace Rnn.Math.LayerTypes;

/// <summary>`lstm`: PyTorch's nn.LSTM (gates i, f, g, o), with Keras's forget-gate bias of 1 (unit_forget_bias).</summary>
public sealed record LstmConfig(int Units, bool ReturnSequences = false) : RecurrentConfig(Units, ReturnSequences)
{
    internal static readonly LayerType Type = new("lstm", Fields, layer => WithOptions(new LstmConfig(ReadUnits(layer), ReadReturnSequences(layer)), layer));

    public override string TypeName => Type.Name;

    public override int Gates => 4;

    private protected override int StatesPerUnit => 2;

    // ONNX's LSTM stacks i, o, f, c; PyTorch's i, f, g, o (c is PyTorch's g).
    private protected override string OnnxOperator => "LSTM";

    private protected override int[] OnnxGateOrder => [0, 3, 1, 2];

    internal override void Initialize(LayerSpec spec, Span<float> parameters, ulong seed)
    {
        base.Initialize(spec, parameters, seed);
        for (int direction = 0; direction < Directions; direction++)
            spec.Slots[SlotsPerDirection * direction + 2].Of(parameters).Slice(Units, Units).Fill(1f);
    }

    private protected override ILayer BuildDirection(LayerSpec spec) => new LstmLayer(spec);
}
