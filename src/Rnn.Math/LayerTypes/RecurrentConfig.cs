using System.Globalization;
using System.Text.Json.Nodes;
using Onnx;
using Rnn.Math.Config;
using Rnn.Math.Export;
using Rnn.Math.Layers;
using Rnn.Math.Model;

namespace Rnn.Math.LayerTypes;

/// <summary>
/// What rnn, lstm and gru share, as PyTorch's nn.RNNBase does: `units` (H) and `returnSequences`, G gates per
/// unit, and the tensors of a one-layer nn.LSTM/GRU/RNN, weight_ih_l0 (G·H, I), weight_hh_l0 (G·H, H),
/// bias_ih_l0 (G·H), bias_hh_l0 (G·H), gates stacked in PyTorch's order. Keras initialises the input kernel
/// glorot-uniform and the recurrent kernel orthogonal. <see cref="Bidirectional"/> adds a second direction, PyTorch's
/// `bidirectional=True`: four more tensors named with `_reverse`, and an output of 2H, forward then backward.
/// </summary>
public abstract record RecurrentConfig(int Units, bool ReturnSequences) : LayerConfig
{
    private protected static readonly string[] Fields = ["type", "units", "returnSequences", "bidirectional", "stateful"];

    /// <summary>The tensors of one direction: weight_ih, weight_hh, bias_ih, bias_hh.</summary>
    internal const int SlotsPerDirection = 4;

    /// <summary>Whether a backward direction reads each sequence from its last real step, its states beside the forward ones.</summary>
    public bool Bidirectional { get; init; }

    /// <summary>
    /// Keras's `stateful=True`: the state a window ends with starts the next window of the same stream (the same row of
    /// the next minibatch), as docs/stateful.md describes; the gradient stops at the window's start.
    /// </summary>
    public bool Stateful { get; init; }

    /// <summary>The floats of a stateful layer's carried state per sample: h, and the LSTM's c; 0 when not stateful.</summary>
    public int StateWidth => Stateful ? StatesPerUnit * Units : 0;

    /// <summary>The cell's carried values per unit: h, and the LSTM's c.</summary>
    private protected virtual int StatesPerUnit => 1;

    /// <summary>1, or 2 when <see cref="Bidirectional"/>.</summary>
    public int Directions => Bidirectional ? 2 : 1;

    /// <summary>Gates per unit: G.</summary>
    public abstract int Gates { get; }

    /// <summary>The ONNX operator (LSTM, GRU, RNN).</summary>
    private protected abstract string OnnxOperator { get; }

    /// <summary>ONNX gate k is PyTorch gate OnnxGateOrder[k]: the operators define their own orders.</summary>
    private protected abstract int[] OnnxGateOrder { get; }

    /// <summary>Attributes that make the ONNX operator compute PyTorch's cell.</summary>
    private protected virtual AttributeProto[] OnnxAttributes => [];

    public override int OutputSize(int inputSize) => Directions * Units;

    public override bool OutputIsSequence(bool inputIsSequence) => ReturnSequences;

    public override bool NeedsSequenceInput => true;

    public override void Validate(string field)
    {
        if (Units <= 0) throw new InputException($"{field}.units: expected a positive integer, got {Units}");
        if (Stateful && Bidirectional)
            throw new InputException($"{field}.stateful: a bidirectional layer reads each window from its end as well, so no state can carry from one window to the next; drop stateful or bidirectional");
        // G·H is a dimension of the layer's tensors and buffers; it must be an int before any size is taken.
        if ((long)Gates * Units > Array.MaxLength)
            throw new InputException(string.Create(CultureInfo.InvariantCulture,
                $"{field}.units: {Units} is too large: {Gates} gates × {Units} units = {(long)Gates * Units:N0} rows, more than one array can hold ({Array.MaxLength:N0} values)"));
    }

    public override IReadOnlyList<LayerTensor> Tensors(int inputSize)
    {
        IReadOnlyList<LayerTensor> forward =
        [
            new("weight_ih_l0", [Gates * Units, inputSize], "weight_ih"),
            new("weight_hh_l0", [Gates * Units, Units], "weight_hh"),
            new("bias_ih_l0", [Gates * Units], "bias_ih"),
            new("bias_hh_l0", [Gates * Units], "bias_hh"),
        ];
        return Bidirectional ? [.. forward, .. forward.Select(t => new LayerTensor(t.Name + "_reverse", t.Shape))] : forward;
    }

    /// <summary>`bidirectional` and `stateful` are written only when set, so the model of a plain layer reads as it always did.</summary>
    public override JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = TypeName, ["units"] = Units, ["returnSequences"] = ReturnSequences };
        if (Bidirectional) json["bidirectional"] = true;
        if (Stateful) json["stateful"] = true;
        return json;
    }

    private protected static int ReadUnits(ConfigObject layer) => layer.Int("units", null, 1);

    private protected static bool ReadReturnSequences(ConfigObject layer) => layer.Bool("returnSequences", false);

    /// <summary>The fields every recurrent layer type shares besides units and returnSequences.</summary>
    private protected static RecurrentConfig WithOptions(RecurrentConfig config, ConfigObject layer)
        => config with { Bidirectional = layer.Bool("bidirectional", false), Stateful = layer.Bool("stateful", false) };

    /// <summary>
    /// Each direction's kernels as Keras's Bidirectional initialises its two copies of the layer: independently, the
    /// backward direction's draws keyed apart from the forward one's by a high bit of the layer key.
    /// </summary>
    internal override void Initialize(LayerSpec spec, Span<float> parameters, ulong seed)
    {
        for (int direction = 0; direction < Directions; direction++)
        {
            ulong key = (ulong)spec.Index + ((ulong)direction << 32);
            // Keras's kernel is (I, G·H); PyTorch stores its transpose (G·H, I). Glorot's fans are the same either way.
            KerasInitializer.GlorotUniform(spec.Slots[SlotsPerDirection * direction].Of(parameters), spec.InputSize, Gates * Units, seed, key);
            KerasInitializer.Orthogonal(spec.Slots[SlotsPerDirection * direction + 1].Of(parameters), Units, Gates * Units, seed, key);
        }
    }

    /// <summary>The runtime layer of one direction, given a spec of that direction's H outputs and four slots.</summary>
    private protected abstract ILayer BuildDirection(LayerSpec spec);

    internal sealed override ILayer Build(LayerSpec spec, bool lossAppliesSoftmax)
    {
        if (!Bidirectional) return BuildDirection(spec);
        LayerSpec Direction(int d) => spec with { OutputSize = Units, Slots = [.. spec.Slots.Skip(SlotsPerDirection * d).Take(SlotsPerDirection)] };
        return new BidirectionalLayer(spec, BuildDirection(Direction(0)), BuildDirection(Direction(1)));
    }

    /// <summary>
    /// ONNX's operator reads X as (T, N, I) and the weights per direction D: W (D, G·H, I), R (D, G·H, H) and
    /// B (D, 2·G·H) = [W's bias, R's bias], each the PyTorch tensor with its gate blocks reordered, forward then
    /// reverse. With the graph's sequence lengths it runs each sample to its last real step and the reverse direction
    /// from there, padded steps zero: PyTorch's packed sequences. Its outputs are Y (T, D, N, H) and Y_h (D, N, H);
    /// the layer gives (N, T, D·H) or (N, D·H), directions side by side as torch.cat does.
    /// </summary>
    internal override string AddOnnxNodes(OnnxGraph graph, LayerSpec spec, ReadOnlySpan<float> parameters, string input)
    {
        string prefix = $"layers.{spec.Index}.";
        int rows = Gates * Units, directions = Directions;
        List<float> kernels = [], recurrent = [], biases = [];
        for (int d = 0; d < directions; d++)
        {
            int first = SlotsPerDirection * d;
            kernels.AddRange(InOnnxGateOrder(spec.Slots[first].Of(parameters)));
            recurrent.AddRange(InOnnxGateOrder(spec.Slots[first + 1].Of(parameters)));
            biases.AddRange(InOnnxGateOrder(spec.Slots[first + 2].Of(parameters)));
            biases.AddRange(InOnnxGateOrder(spec.Slots[first + 3].Of(parameters)));
        }
        var w = graph.Constant(prefix + "W", [directions, rows, spec.InputSize], [.. kernels]);
        var r = graph.Constant(prefix + "R", [directions, rows, Units], [.. recurrent]);
        var b = graph.Constant(prefix + "B", [directions, 2 * rows], [.. biases]);
        var timeFirst = graph.Node("Transpose", [input], OnnxGraph.Ints("perm", 1, 0, 2));
        var attributes = new List<AttributeProto> { OnnxGraph.Int("hidden_size", Units) };
        attributes.AddRange(OnnxAttributes);
        if (Bidirectional) attributes.Add(OnnxGraph.String("direction", "bidirectional"));
        string[] inputs = [timeFirst, w, r, b, graph.SequenceLengths ?? "", .. Stateful ? StartState(graph, prefix) : []];
        var outputs = graph.Node(OnnxOperator, inputs, 1 + StatesPerUnit, [.. attributes]);
        if (Stateful) EndState(graph, prefix, outputs[1..]);
        if (!ReturnSequences)
        {
            var last = graph.Node("Transpose", [outputs[1]], OnnxGraph.Ints("perm", 1, 0, 2));
            return graph.Node("Reshape", [last, graph.Int64s(prefix + "state_shape", 0, -1)]);
        }
        var sequence = graph.Node("Transpose", [outputs[0]], OnnxGraph.Ints("perm", 2, 0, 1, 3));
        return graph.Node("Reshape", [sequence, graph.Int64s(prefix + "sequence_shape", 0, 0, -1)]);
    }

    /// <summary>
    /// A stateful layer's initial_h (and the LSTM's initial_c), (1, N, H) each: its columns of the graph's `state`, h
    /// then c, as a state row holds them.
    /// </summary>
    private string[] StartState(OnnxGraph graph, string prefix)
    {
        var starts = new string[StatesPerUnit];
        for (int k = 0; k < StatesPerUnit; k++)
        {
            int from = graph.StateOffset + k * Units;
            var columns = graph.Node("Slice", [graph.State!, graph.Int64s($"{prefix}state_{k}_start", from), graph.Int64s($"{prefix}state_{k}_end", from + Units),
                graph.Int64s($"{prefix}state_{k}_axes", 1)]);
            starts[k] = graph.Node("Unsqueeze", [columns, graph.Int64s($"{prefix}state_{k}_direction", 0)]);
        }
        graph.StateOffset += StateWidth;
        return starts;
    }

    /// <summary>The operator's Y_h (and Y_c), (1, N, H) each, as (N, H) columns of the graph's `state_out`.</summary>
    private static void EndState(OnnxGraph graph, string prefix, IEnumerable<string> ends)
    {
        foreach (var (end, k) in ends.Select((end, k) => (end, k)))
            graph.StateOutputs.Add(graph.Node("Squeeze", [end, graph.Int64s($"{prefix}state_out_{k}_direction", 0)]));
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
