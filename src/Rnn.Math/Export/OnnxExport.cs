using Google.Protobuf;
using Onnx;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.LayerTypes;
using Rnn.Math.Model;

namespace Rnn.Math.Export;

/// <summary>
/// A trained network as an ONNX model of standard operators (opset 17): input `x` (N, T, I) float32, or (N, T)
/// int64 token ids for a model that starts with an embedding, output `y` (N, O) or (N, T, O), N and T free. A
/// recurrent model also takes `lengths` (N) int64, each sample's real steps, as training's safetensors data does;
/// it may be left out (its default is empty): then every step is real, or under maskZero every step up to the last
/// id that is not 0, which is what predict does when padding comes last (a 0 inside a sequence, which predict
/// steps over holding its state, the graph reads as a token). Each layer adds its own nodes (LayerConfig.AddOnnxNodes); dropout adds none.
/// With the statistics of a CSV-trained model the graph normalises x and undoes the target's normalisation on y,
/// as predict does, so it takes and gives values in the data's units. A cross-entropy model gives class
/// probabilities, as predict does: a softmax closes the graph unless its last layer is one.
/// A stateful model (docs/stateful.md) also takes `state` (N, StateWidth), the state each sample starts from (zeros
/// for a stream's first window), and gives `state_out` (N, StateWidth), the state its window ended with: fed back
/// as the next window's `state`, it carries the stream as training and predict do.
/// </summary>
public static class OnnxExport
{
    public const int Opset = 17;

    /// <summary>The IR version that came with opset 17, so runtimes from then on read the file.</summary>
    private const long IrVersion = 8;

    public static byte[] ToBytes(Network network, ReadOnlySpan<float> parameters, SeriesScaling? scaling, LossKind loss)
    {
        if (scaling is not null && scaling.Features.Count != network.InputSize)
            throw new ArgumentException($"{scaling.Features.Count} scaled columns for {network.InputSize} inputs", nameof(scaling));
        var graph = new OnnxGraph();
        var first = network.Layers[0].Config;
        graph.Proto.Input.Add(first is EmbeddingConfig ? Declared("x", Int64, "N", "T") : Declared("x", Float, "N", "T", network.InputSize));
        if (network.Layers.Any(layer => layer.Config is RecurrentConfig))
            graph.SequenceLengths = SequenceLengths(graph, first is EmbeddingConfig { MaskZero: true });
        if (network.StateWidth > 0)
        {
            graph.Proto.Input.Add(Declared("state", Float, "N", network.StateWidth));
            graph.State = "state";
        }
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
        if (loss == LossKind.CrossEntropy && network.Layers[^1].Config is not DenseConfig { Activation: Activation.Softmax })
            value = graph.Node("Softmax", [value], OnnxGraph.Int("axis", -1));
        if (scaling is not null)
        {
            // y = y' · scale + offset, as ColumnScaling.Undo computes it
            value = graph.Node("Mul", [value, graph.Constant("target.scale", [1], [scaling.Target.Scale])]);
            value = graph.Node("Add", [value, graph.Constant("target.offset", [1], [scaling.Target.Offset])]);
        }
        graph.Identity(value, "y");
        graph.Proto.Output.Add(network.OutputIsSequence
            ? Declared("y", Float, "N", "T", network.OutputSize)
            : Declared("y", Float, "N", network.OutputSize));
        if (graph.State is not null)
        {
            graph.Identity(graph.Node("Concat", graph.StateOutputs, OnnxGraph.Int("axis", 1)), "state_out");
            graph.Proto.Output.Add(Declared("state_out", Float, "N", network.StateWidth));
        }

        var model = new ModelProto { IrVersion = IrVersion, ProducerName = "rnn-cluster", Graph = graph.Proto };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = Opset });
        return model.ToByteArray();
    }

    private const TensorProto.Types.DataType Float = TensorProto.Types.DataType.Float, Int64 = TensorProto.Types.DataType.Int64;

    /// <summary>
    /// The optional input `lengths` and what the graph makes of it: the first N values of [lengths, default], where
    /// the default is T for every sample, or under <paramref name="maskZero"/> one past the position of its last id
    /// that is not 0; as int32, the recurrent operators' sequence_lens.
    /// </summary>
    private static string SequenceLengths(OnnxGraph graph, bool maskZero)
    {
        graph.Proto.Input.Add(Declared("lengths", Int64, "N"));
        graph.Proto.Initializer.Add(new TensorProto { Name = "lengths", DataType = (int)Int64, Dims = { 0 } });
        var shape = graph.Node("Shape", ["x"]);
        var samples = graph.Node("Slice", [shape, graph.Int64s("lengths.samples_start", 0), graph.Int64s("lengths.samples_end", 1)]);
        string fallback;
        if (maskZero)
        {
            // positions 1..T of each step (a running sum of ones), kept where the id is not 0; the largest is the length
            var padding = graph.Node("Equal", ["x", graph.Int64s("lengths.padding_id", 0)]);
            var real = graph.Node("Cast", [graph.Node("Not", [padding])], OnnxGraph.Int("to", (long)Int64));
            var ones = graph.Node("Add", [graph.Node("Mul", ["x", graph.Int64s("lengths.zero", 0)]), graph.Int64s("lengths.one", 1)]);
            var positions = graph.Node("CumSum", [ones, graph.Int64Scalar("lengths.steps_axis", 1)]);
            fallback = graph.Node("ReduceMax", [graph.Node("Mul", [real, positions])],
                OnnxGraph.Ints("axes", 1), OnnxGraph.Int("keepdims", 0));
        }
        else
        {
            var steps = graph.Node("Slice", [shape, graph.Int64s("lengths.steps_start", 1), graph.Int64s("lengths.steps_end", 2)]);
            fallback = graph.Node("Expand", [steps, samples]);
        }
        var both = graph.Node("Concat", ["lengths", fallback], OnnxGraph.Int("axis", 0));
        var lengths = graph.Node("Slice", [both, graph.Int64s("lengths.start", 0), samples]);
        return graph.Node("Cast", [lengths], OnnxGraph.Int("to", (long)TensorProto.Types.DataType.Int32));
    }

    /// <summary>A tensor's declaration; a string dimension is free (named), an int fixed.</summary>
    private static ValueInfoProto Declared(string name, TensorProto.Types.DataType type, params object[] dimensions)
    {
        var shape = new TensorShapeProto();
        foreach (var dimension in dimensions)
            shape.Dim.Add(dimension is string free
                ? new TensorShapeProto.Types.Dimension { DimParam = free }
                : new TensorShapeProto.Types.Dimension { DimValue = (int)dimension });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } },
        };
    }
}
