using System.Text.Json.Nodes;
using Rnn.Math.Config;
using Rnn.Math.Export;
using Rnn.Math.Layers;
using Rnn.Math.Model;

namespace Rnn.Math.LayerTypes;

/// <summary>
/// `dense`: PyTorch's nn.Linear, y = act(x Wᵀ + b) with weight (O, I) and bias (O), then `activation`; after a
/// sequence it applies at every timestep. Keras initialises the kernel glorot-uniform and the bias to zero.
/// </summary>
public sealed record DenseConfig(int Units, Activation Activation = Activation.Linear) : LayerConfig
{
    internal static readonly LayerType Type = new("dense", ["type", "units", "activation"],
        layer => new DenseConfig(layer.Int("units", 0, 1), layer.Choice<Activation>("activation", "activation", Activation.Linear)));

    public override string TypeName => Type.Name;

    public override int OutputSize(int inputSize) => Units;

    public override bool OutputIsSequence(bool inputIsSequence) => inputIsSequence;

    public override void Validate(string field)
    {
        if (Units <= 0) throw new InputException($"{field}.units: expected a positive integer, got {Units}");
    }

    public override IReadOnlyList<LayerTensor> Tensors(int inputSize) => [new("weight", [Units, inputSize]), new("bias", [Units])];

    public override JsonObject ToJson() => new() { ["type"] = TypeName, ["units"] = Units, ["activation"] = Activation.ToString().ToLowerInvariant() };

    internal override void Initialize(LayerSpec spec, Span<float> parameters, ulong seed)
        => KerasInitializer.GlorotUniform(spec.Slots[0].Of(parameters), spec.InputSize, Units, seed, (ulong)spec.Index);

    internal override ILayer Build(LayerSpec spec, bool lossAppliesSoftmax)
        => new DenseLayer(spec, lossAppliesSoftmax ? Activation.Linear : Activation);

    /// <summary>MatMul by Wᵀ (I, O) and Add b: one form for (N, I) and (N, T, I). A softmax head gives probabilities, as predict does.</summary>
    internal override string AddOnnxNodes(OnnxGraph graph, LayerSpec spec, ReadOnlySpan<float> parameters, string input)
    {
        string prefix = $"layers.{spec.Index}.";
        var weight = spec.Slots[0].Of(parameters);
        var transposed = new float[weight.Length];
        for (int o = 0; o < Units; o++)
            for (int i = 0; i < spec.InputSize; i++)
                transposed[i * Units + o] = weight[o * spec.InputSize + i];
        var product = graph.Node("MatMul", [input, graph.Constant(prefix + "weight_t", [spec.InputSize, Units], transposed)]);
        var output = graph.Node("Add", [product, graph.Constant(prefix + "bias", [Units], spec.Slots[1].Of(parameters))]);
        return Activation switch
        {
            Activation.Linear => output,
            Activation.Tanh => graph.Node("Tanh", [output]),
            Activation.Sigmoid => graph.Node("Sigmoid", [output]),
            Activation.Relu => graph.Node("Relu", [output]),
            Activation.Softmax => graph.Node("Softmax", [output], OnnxGraph.Int("axis", -1)),
            _ => throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "no ONNX operator for this activation"),
        };
    }
}
