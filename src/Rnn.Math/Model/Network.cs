using System.Globalization;
using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using Rnn.Math.Weights;

namespace Rnn.Math.Model;

/// <summary>
/// The validated layer stack: shapes between layers, the <see cref="ParameterLayout"/> and Keras initialisation,
/// each asked of the layer's own <see cref="LayerConfig"/>. Stateless; a <see cref="GradientEngine"/> runs it.
/// </summary>
public sealed class Network
{
    public Network(ModelConfig config)
    {
        if (config.InputSize <= 0)
            throw new InputException($"model.inputSize: expected a positive integer, got {config.InputSize}");
        if (config.Layers.Count == 0)
            throw new InputException("model.layers: expected at least one layer");

        var shapes = new List<(int Index, LayerConfig Layer, int In, int Out, bool InSeq, bool OutSeq, LayerTensor[] Tensors)>();
        int features = config.InputSize;
        bool sequence = true;
        for (int i = 0; i < config.Layers.Count; i++)
        {
            var layer = config.Layers[i];
            layer.Validate($"model.layers[{i}]");
            if (layer is EmbeddingConfig && i > 0)
                throw new InputException($"model.layers[{i}]: an embedding layer reads token ids, so it must be the first layer");
            if (layer is EmbeddingConfig && features != 1)
                throw new InputException($"model.inputSize: an embedding reads one token id per timestep: expected 1, got {features}");
            if (layer.NeedsSequenceInput && !sequence) throw NeedsSequence(config.Layers, i);
            int units = layer.OutputSize(features);
            bool outSequence = layer.OutputIsSequence(sequence);
            shapes.Add((i, layer, features, units, sequence, outSequence, [.. layer.Tensors(features).Select(t => Named(i, t))]));
            features = units;
            sequence = outSequence;
        }
        RequireArraySizes(shapes.Select(s => (s.Index, s.Out, s.Tensors)).ToList());

        Layout = new ParameterLayout(shapes.SelectMany(s => s.Tensors));
        if (Layout.Count == 0)
            throw new InputException("model.layers: expected at least one layer with weights; dropout alone produces no output");
        Layers = shapes
            .Select(s => new LayerSpec(s.Index, s.Layer, s.In, s.Out, s.InSeq, s.OutSeq, s.Tensors.Select(t => Layout[t.Name]).ToArray()))
            .ToArray();
        InputSize = config.InputSize;
        OutputSize = features;
        OutputIsSequence = sequence;
    }

    public ParameterLayout Layout { get; }

    public IReadOnlyList<LayerSpec> Layers { get; }

    public int ParameterCount => Layout.Count;

    public int InputSize { get; }

    /// <summary>Features per output row: per sample, or per timestep when <see cref="OutputIsSequence"/>.</summary>
    public int OutputSize { get; }

    /// <summary>True for a many-to-many model (output (n, T, O)); false for many-to-one (output (n, O)).</summary>
    public bool OutputIsSequence { get; }

    /// <summary>The floats of one sample's carried state: every stateful layer's h (and the LSTM's c), in layer order; 0 for a model without one.</summary>
    public int StateWidth => Layers.Select(layer => layer.Config).OfType<RecurrentConfig>().Sum(layer => layer.StateWidth);

    /// <summary>Fills <paramref name="parameters"/> (length <see cref="ParameterCount"/>) as Keras would, from <paramref name="seed"/> alone.</summary>
    public void Initialize(Span<float> parameters, ulong seed)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"expected {ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        parameters.Clear();
        foreach (var layer in Layers)
            layer.Config.Initialize(layer, parameters, seed);
    }

    /// <summary>
    /// Every tensor, and all of them together (the flat parameter buffer, its gradients and moments), must fit in
    /// one .NET array: a larger size would overflow the int offsets and lengths of the layout. Sizes are taken
    /// as longs here, before anything is allocated, and the message names the layer's <c>units</c>.
    /// </summary>
    private static void RequireArraySizes(IReadOnlyList<(int Index, int Units, LayerTensor[] Tensors)> layers)
    {
        long total = 0;
        foreach (var (index, units, tensors) in layers)
        {
            foreach (var tensor in tensors)
            {
                long count = NamedTensor.ElementsOf(tensor.Shape);
                if (count > Array.MaxLength)
                    throw new InputException(string.Create(CultureInfo.InvariantCulture,
                        $"model.layers[{index}].units: {units} is too large: {tensor.Name} {NamedTensor.Format(tensor.Shape)} would hold {MemoryEstimate.Values(count)}, more than one array can hold ({Array.MaxLength:N0})"));
                total += count;
            }
        }
        if (total <= Array.MaxLength) return;
        var largest = layers.MaxBy(l => l.Tensors.Sum(t => NamedTensor.ElementsOf(t.Shape)));
        throw new InputException(string.Create(CultureInfo.InvariantCulture,
            $"model.layers[{largest.Index}].units: {largest.Units} is too large: the model would have {total:N0} parameters ({MemoryEstimate.Size(total * (double)sizeof(float))}), more than one array can hold ({Array.MaxLength:N0})"));
    }

    /// <summary>A layer's tensor under its name in the model's state_dict: `layers.i.` and its name within the layer.</summary>
    private static LayerTensor Named(int index, LayerTensor tensor) => tensor with
    {
        Name = $"layers.{index}.{tensor.Name}",
        FormerName = tensor.FormerName is null ? null : $"layers.{index}.{tensor.FormerName}",
    };

    /// <summary>Layer i needs a sequence but gets one vector per sample: name the layer whose returnSequences to set.</summary>
    private static InputException NeedsSequence(IReadOnlyList<LayerConfig> layers, int i)
    {
        int source = i - 1;
        while (layers[source] is not RecurrentConfig) source--;
        return new InputException(
            $"model.layers[{i}]: a {layers[i].TypeName} layer needs a sequence input, but model.layers[{source}] " +
            $"({layers[source].TypeName} with returnSequences false) outputs one vector per sample; " +
            $"set returnSequences to true on model.layers[{source}]");
    }
}
