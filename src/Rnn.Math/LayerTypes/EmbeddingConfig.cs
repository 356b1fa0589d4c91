using System.Globalization;
using System.Text.Json.Nodes;
using Rnn.Math.Export;
using Rnn.Math.Layers;
using Rnn.Math.Model;

namespace Rnn.Math.LayerTypes;

/// <summary>
/// `embedding`: PyTorch's nn.Embedding, weight (V, E), first in `layers`. Its input is one token id a timestep,
/// an integer in [0, <see cref="InputDim"/>); its output the id's row of the weight. With <see cref="MaskZero"/>,
/// id 0 is padding (Keras mask_zero): the steps that hold it are masked (<see cref="StepMask"/>). Keras initialises
/// the weight uniform in ±0.05.
/// </summary>
public sealed record EmbeddingConfig(int InputDim, int OutputDim, bool MaskZero = false) : LayerConfig
{
    private const double InitialLimit = 0.05;

    internal static readonly LayerType Type = new("embedding", ["type", "inputDim", "outputDim", "maskZero"],
        layer => new EmbeddingConfig(layer.Int("inputDim", 0, 1), layer.Int("outputDim", null, 1), layer.Bool("maskZero", false)));

    public override string TypeName => Type.Name;

    public override int OutputSize(int inputSize) => OutputDim;

    public override bool OutputIsSequence(bool inputIsSequence) => inputIsSequence;

    public override bool NeedsSequenceInput => true;

    public override void Validate(string field)
    {
        if (InputDim <= 0) throw new InputException($"{field}.inputDim: expected a positive integer (the vocabulary's size), got {InputDim}");
        if (OutputDim <= 0) throw new InputException($"{field}.outputDim: expected a positive integer, got {OutputDim}");
        if ((long)InputDim * OutputDim > Array.MaxLength)
            throw new InputException(string.Create(CultureInfo.InvariantCulture,
                $"{field}: inputDim × outputDim = {(long)InputDim * OutputDim:N0} values, more than one array can hold ({Array.MaxLength:N0})"));
    }

    public override IReadOnlyList<LayerTensor> Tensors(int inputSize) => [new("weight", [InputDim, OutputDim])];

    public override JsonObject ToJson() => new() { ["type"] = TypeName, ["inputDim"] = InputDim, ["outputDim"] = OutputDim, ["maskZero"] = MaskZero };

    internal override void Initialize(LayerSpec spec, Span<float> parameters, ulong seed)
        => KerasInitializer.Uniform(spec.Slots[0].Of(parameters), InitialLimit, seed, (ulong)spec.Index);

    internal override ILayer Build(LayerSpec spec, bool lossAppliesSoftmax) => new EmbeddingLayer(spec, InputDim);

    /// <summary>The ids, the graph's int64 input x (N, T), gathered from the weight: (N, T, E).</summary>
    internal override string AddOnnxNodes(OnnxGraph graph, LayerSpec spec, ReadOnlySpan<float> parameters, string input)
    {
        string prefix = $"layers.{spec.Index}.";
        return graph.Node("Gather", [graph.Constant(prefix + "weight", [InputDim, OutputDim], spec.Slots[0].Of(parameters)), input]);
    }
}
