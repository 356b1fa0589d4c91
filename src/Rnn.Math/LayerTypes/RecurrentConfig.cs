using System.Globalization;
using System.Text.Json.Nodes;
using Onnx;
using Rnn.Math.Config;
using Rnn.Math.Export;
using Rnn.Math.Model;

namespace Rnn.Math.LayerTypes;

/// <summary>
/// What rnn, lstm and gru share, as PyTorch's nn.RNNBase does: `units` (H) and `returnSequences`, G gates per
/// unit, and the tensors of a one-layer nn.LSTM/GRU/RNN, weight_ih_l0 (G·H, I), weight_hh_l0 (G·H, H),
/// bias_ih_l0 (G·H), bias_hh_l0 (G·H), gates stacked in PyTorch's order. Keras initialises the input kernel
/// glorot-uniform and the recurrent kernel orthogonal.
/// </summary>
public abstract record RecurrentConfig(int Units, bool ReturnSequences) : LayerConfig
{
    private protected static readonly string[] Fields = ["type", "units", "returnSequences"];

    /// <summary>Gates per unit: G.</summary>
    public abstract int Gates { get; }

    /// <summary>The ONNX operator (LSTM, GRU, RNN).</summary>
    private protected abstract string OnnxOperator { get; }

    /// <summary>ONNX gate k is PyTorch gate OnnxGateOrder[k]: the operators define their own orders.</summary>
    private protected abstract int[] OnnxGateOrder { get; }

    /// <summary>Attributes that make the ONNX operator compute PyTorch's cell.</summary>
    private protected virtual AttributeProto[] OnnxAttributes => [];

    public override int OutputSize(int inputSize) => Units;

    public override bool OutputIsSequence(bool inputIsSequence) => ReturnSequences;

    public override bool NeedsSequenceInput => true;

    public override void Validate(string field)
    {
        if (Units <= 0) throw new InputException($"{field}.units: expected a positive integer, got {Units}");
        // G·H is a dimension of the layer's tensors and buffers; it must be an int before any size is taken.
        if ((long)Gates * Units > Array.MaxLength)
            throw new InputException(string.Create(CultureInfo.InvariantCulture,
                $"{field}.units: {Units} is too large: {Gates} gates × {Units} units = {(long)Gates * Units:N0} rows, more than one array can hold ({Array.MaxLength:N0} values)"));
    }

    public override IReadOnlyList<LayerTensor> Tensors(int inputSize) =>
    [
        new("weight_ih_l0", [Gates * Units, inputSize], "weight_ih"),
        new("weight_hh_l0", [Gates * Units, Units], "weight_hh"),
        new("bias_ih_l0", [Gates * Units], "bias_ih"),
        new("bias_hh_l0", [Gates * Units], "bias_hh"),
    ];

    public override JsonObject ToJson() => new() { ["type"] = TypeName, ["units"] = Units, ["returnSequences"] = ReturnSequences };

    private protected static int ReadUnits(ConfigObject layer) => layer.Int("units", null, 1);

    private protected static bool ReadReturnSequences(ConfigObject layer) => layer.Bool("returnSequences", false);

    internal override void Initialize(LayerSpec spec, Span<float> parameters, ulong seed)
    {
        // Keras's kernel is (I, G·H); PyTorch stores its transpose (G·H, I). Glorot's fans are the same either way.
        KerasInitializer.GlorotUniform(spec.Slots[0].Of(parameters), spec.InputSize, Gates * Units, seed, (ulong)spec.Index);
        KerasInitializer.Orthogonal(spec.Slots[1].Of(parameters), Units, Gates * Units, seed, (ulong)spec.Index);
    }

    /// <summary>
    /// ONNX's operator reads X as (T, N, I) and the weights per direction: W (1, G·H, I), R (1, G·H, H) and
    /// B (1, 2·G·H) = [W's bias, R's bias], each the PyTorch tensor with its gate blocks reordered. Its outputs are
    /// Y (T, 1, N, H) and Y_h (1, N, H); the layer gives (N, T, H) or (N, H).
    /// </summary>
    internal override string AddOnnxNodes(OnnxGraph graph, LayerSpec spec, ReadOnlySpan<float> parameters, string input)
    {
        string prefix = $"layers.{spec.Index}.";
        int rows = Gates * Units;
        var w = graph.Constant(prefix + "W", [1, rows, spec.InputSize], InOnnxGateOrder(spec.Slots[0].Of(parameters)));
        var r = graph.Constant(prefix + "R", [1, rows, Units], InOnnxGateOrder(spec.Slots[1].Of(parameters)));
        var b = graph.Constant(prefix + "B", [1, 2 * rows],
            [.. InOnnxGateOrder(spec.Slots[2].Of(parameters)), .. InOnnxGateOrder(spec.Slots[3].Of(parameters))]);
        var timeFirst = graph.Node("Transpose", [input], OnnxGraph.Ints("perm", 1, 0, 2));
        var outputs = graph.Node(OnnxOperator, [timeFirst, w, r, b], 2, [OnnxGraph.Int("hidden_size", Units), .. OnnxAttributes]);
        if (!ReturnSequences)
            return graph.Node("Squeeze", [outputs[1], graph.Int64s(prefix + "direction_axis", 0)]);
        var sequence = graph.Node("Squeeze", [outputs[0], graph.Int64s(prefix + "direction_axis", 1)]);
        return graph.Node("Transpose", [sequence], OnnxGraph.Ints("perm", 1, 0, 2));
    }

    /// <summary>A tensor of G stacked gate blocks (PyTorch's order), its blocks in the ONNX operator's order.</summary>
    private float[] InOnnxGateOrder(ReadOnlySpan<float> tensor)
    {
        int block = tensor.Length / Gates;
        var reordered = new float[tensor.Length];
        for (int k = 0; k < Gates; k++)
            tensor.Slice(OnnxGateOrder[k] * block, block).CopyTo(reordered.AsSpan(k * block, block));
        return reordered;
    }
}
