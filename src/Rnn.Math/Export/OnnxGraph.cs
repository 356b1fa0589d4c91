using Onnx;

namespace Rnn.Math.Export;

/// <summary>
/// An ONNX graph under construction: float32 and int64 constants (initializers) and nodes of the default domain,
/// each node's outputs given fresh names. Layers add their nodes through it (LayerConfig.AddOnnxNodes);
/// <see cref="OnnxExport"/> gives it its input, its output and the model around it.
/// </summary>
internal sealed class OnnxGraph
{
    private int _nodes;

    public GraphProto Proto { get; } = new() { Name = "rnn-cluster" };

    /// <summary>Each sample's real steps, int32 (N), as the recurrent operators' sequence_lens take them; null when the graph has none.</summary>
    public string? SequenceLengths { get; set; }

    /// <summary>A stateful model's input `state` (N, StateWidth): each stateful layer reads its columns from <see cref="StateOffset"/> on.</summary>
    public string? State { get; set; }

    /// <summary>Where the next stateful layer's columns of <see cref="State"/> begin.</summary>
    public int StateOffset { get; set; }

    /// <summary>The stateful layers' end states, (N, width) each, in order: the output `state_out` is their concatenation.</summary>
    public List<string> StateOutputs { get; } = new();

    /// <summary>A float32 tensor of <paramref name="shape"/>, row-major; returns its name.</summary>
    public string Constant(string name, int[] shape, ReadOnlySpan<float> values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(shape.Select(d => (long)d));
        tensor.FloatData.AddRange(values.ToArray());
        Proto.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A one-dimensional int64 tensor (axes, shapes); returns its name.</summary>
    public string Int64s(string name, params long[] values)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        Proto.Initializer.Add(tensor);
        return name;
    }

    /// <summary>An int64 scalar (a 0-D tensor, as CumSum's axis); returns its name.</summary>
    public string Int64Scalar(string name, long value)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Int64Data.Add(value);
        Proto.Initializer.Add(tensor);
        return name;
    }

    /// <summary>A node with one output; returns the output's name.</summary>
    public string Node(string op, IReadOnlyList<string> inputs, params AttributeProto[] attributes)
        => Node(op, inputs, 1, attributes)[0];

    /// <summary>A node with <paramref name="outputs"/> outputs; an empty input name is an optional input left out.</summary>
    public string[] Node(string op, IReadOnlyList<string> inputs, int outputs, params AttributeProto[] attributes)
    {
        string name = $"{op}_{_nodes++}";
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes);
        var names = Enumerable.Range(0, outputs).Select(k => $"{name}:{k}").ToArray();
        node.Output.AddRange(names);
        Proto.Node.Add(node);
        return names;
    }

    /// <summary>Gives <paramref name="value"/> the name <paramref name="name"/> (a graph output's name is fixed).</summary>
    public void Identity(string value, string name)
        => Proto.Node.Add(new NodeProto { OpType = "Identity", Name = $"Identity_{_nodes++}", Input = { value }, Output = { name } });

    public static AttributeProto Int(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto String(string name, string value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = Google.Protobuf.ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }
}
