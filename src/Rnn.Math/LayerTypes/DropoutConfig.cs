using System.Text.Json.Nodes;
using Rnn.Math.Export;
using Rnn.Math.Layers;
using Rnn.Math.Model;

namespace Rnn.Math.LayerTypes;

/// <summary>`dropout`: PyTorch's nn.Dropout with `rate`; inverted dropout while training, the identity at inference. No tensors.</summary>
public sealed record DropoutConfig(float Rate) : LayerConfig
{
    internal static readonly LayerType Type = new("dropout", ["type", "rate"],
        layer => new DropoutConfig(layer.Float("rate", null, r => r >= 0f && r < 1f, "a rate in [0, 1)")));

    public override string TypeName => Type.Name;

    public override int OutputSize(int inputSize) => inputSize;

    public override bool OutputIsSequence(bool inputIsSequence) => inputIsSequence;

    public override void Validate(string field)
    {
        if (!(Rate >= 0f && Rate < 1f)) throw new InputException($"{field}.rate: expected a number in [0, 1), got {Rate}");
    }

    public override IReadOnlyList<LayerTensor> Tensors(int inputSize) => [];

    public override JsonObject ToJson() => new() { ["type"] = TypeName, ["rate"] = Rate };

    internal override void Initialize(LayerSpec spec, Span<float> parameters, ulong seed) { }

    internal override ILayer Build(LayerSpec spec, bool lossAppliesSoftmax) => new DropoutLayer(spec, Rate);

    /// <summary>Inference keeps every element unscaled (inverted dropout scaled while training): no node.</summary>
    internal override string AddOnnxNodes(OnnxGraph graph, LayerSpec spec, ReadOnlySpan<float> parameters, string input) => input;
}
