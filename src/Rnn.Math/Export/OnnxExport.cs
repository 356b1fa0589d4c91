using Google.Protobuf;
using Onnx;
using Rnn.Math.Data;
using Rnn.Math.Model;

namespace Rnn.Math.Export;

/// <summary>
/// A trained network as an ONNX model of standard operators (opset 17): input `x` (N, T, I) float32, output `y`
/// (N, O) or (N, T, O), N and T free. Each layer adds its own nodes (LayerConfig.AddOnnxNodes); dropout adds none.
/// With the statistics of a CSV-trained model the graph normalises x and undoes the target's normalisation on y,
/// as predict does, so it takes and gives values in the data's units.
/// </summary>
public static class OnnxExport
{
    public const int Opset = 17;

    /// <summary>The IR version that came with opset 17, so runtimes from then on read the file.</summary>
    private const long IrVersion = 8;

    public static byte[] ToBytes(Network network, ReadOnlySpan<float> parameters, SeriesScaling? scaling)
    {
        if (scaling is not null && scaling.Features.Count != network.InputSize)
            throw new ArgumentException($"{scaling.Features.Count} scaled columns for {network.InputSize} inputs", nameof(scaling));
        var graph = new OnnxGraph();
        graph.Proto.Input.Add(Float32("x", "N", "T", network.InputSize));
        string value = "x";
        if (scaling is not null)
        {
            // x' = (x − offset) / scale per column, as ColumnScaling.Apply computes it
            int columns = scaling.Features.Count;
            value = graph.Node("Sub", [value, graph.Constant("normalization.offset", [columns], [.. scaling.Features.Select(c => c.Offset)])]);
            value = graph.Node("Div", [value, graph.Constant("normalization.scale", [columns], [.. scaling.Features.Select(c => c.Scale)])]);
        }
        foreach (var layer in network.Layers)
            value = layer.Config.AddOnnxNodes(graph, layer, parameters, value);
        if (scaling is not null)
        {
            // y = y' · scale + offset, as ColumnScaling.Undo computes it
            value = graph.Node("Mul", [value, graph.Constant("target.scale", [1], [scaling.Target.Scale])]);
            value = graph.Node("Add", [value, graph.Constant("target.offset", [1], [scaling.Target.Offset])]);
        }
        graph.Identity(value, "y");
        graph.Proto.Output.Add(network.OutputIsSequence
            ? Float32("y", "N", "T", network.OutputSize)
            : Float32("y", "N", network.OutputSize));

        var model = new ModelProto { IrVersion = IrVersion, ProducerName = "rnn-cluster", Graph = graph.Proto };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    /// <summary>A float32 tensor's declaration; a string dimension is free (named), an int fixed.</summary>
    private static ValueInfoProto Float32(string name, params object[] dimensions)
    {
        var shape = new TensorShapeProto();
        foreach (var dimension in dimensions)
            shape.Dim.Add(dimension is string free
                ? new TensorShapeProto.Types.Dimension { DimParam = free }
                : new TensorShapeProto.Types.Dimension { DimValue = (int)dimension });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
