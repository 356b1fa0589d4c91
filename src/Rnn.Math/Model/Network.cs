using Rnn.Math.Config;

namespace Rnn.Math.Model;

/// <summary>
/// The validated layer stack: shapes between layers, the <see cref="ParameterLayout"/> and Keras initialisation.
/// Stateless; a <see cref="GradientEngine"/> runs it.
/// </summary>
public sealed class Network
{
    public Network(ModelConfig config)
    {
        if (config.InputSize <= 0)
            throw new InputException($"model.inputSize: expected a positive integer, got {config.InputSize}");
        if (config.Layers.Count == 0)
            throw new InputException("model.layers: expected at least one layer");

        var shapes = new List<(int Index, LayerConfig Layer, int In, int Out, bool InSeq, bool OutSeq)>();
        int features = config.InputSize;
        bool sequence = true;
        for (int i = 0; i < config.Layers.Count; i++)
        {
            var layer = config.Layers[i];
            Validate(layer, i, sequence, config.Layers);
            int units = layer.Type == LayerType.Dropout ? features : layer.Units;
            bool outSequence = LayerSpec.GateCountOf(layer.Type) > 0 ? layer.ReturnSequences : sequence;
            shapes.Add((i, layer, features, units, sequence, outSequence));
            features = units;
            sequence = outSequence;
        }
        if (config.Layers.All(layer => layer.Type == LayerType.Dropout))
            throw new InputException("model.layers: expected at least one rnn, lstm, gru or dense layer; dropout alone produces no output");

        Layout = new ParameterLayout(shapes.SelectMany(s => TensorsOf(s.Index, s.Layer, s.In)));
        Layers = shapes
            .Select(s => new LayerSpec(s.Index, s.Layer, s.In, s.Out, s.InSeq, s.OutSeq,
                TensorsOf(s.Index, s.Layer, s.In).Select(t => Layout[t.Name]).ToArray()))
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

    /// <summary>Fills <paramref name="parameters"/> (length <see cref="ParameterCount"/>) as Keras would, from <paramref name="seed"/> alone.</summary>
    public void Initialize(Span<float> parameters, ulong seed)
    {
        if (parameters.Length != ParameterCount)
            throw new ArgumentException($"expected {ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        KerasInitializer.Fill(this, parameters, seed);
    }

    private static void Validate(LayerConfig layer, int i, bool inputIsSequence, IReadOnlyList<LayerConfig> layers)
    {
        string field = $"model.layers[{i}]";
        if (layer.Type == LayerType.Dropout)
        {
            if (!(layer.Rate >= 0f && layer.Rate < 1f))
                throw new InputException($"{field}.rate: expected a number in [0, 1), got {layer.Rate}");
            return;
        }
        if (layer.Units <= 0)
            throw new InputException($"{field}.units: expected a positive integer, got {layer.Units}");
        if (LayerSpec.GateCountOf(layer.Type) > 0 && !inputIsSequence)
        {
            int source = LastRecurrentBefore(layers, i);
            throw new InputException(
                $"{field}: a {Name(layer.Type)} layer needs a sequence input, but model.layers[{source}] " +
                $"({Name(layers[source].Type)} with returnSequences false) outputs one vector per sample; " +
                $"set returnSequences to true on model.layers[{source}]");
        }
    }

    private static int LastRecurrentBefore(IReadOnlyList<LayerConfig> layers, int i)
    {
        for (int j = i - 1; j >= 0; j--)
            if (LayerSpec.GateCountOf(layers[j].Type) > 0) return j;
        throw new InvalidOperationException("a vector input must come from a recurrent layer");
    }

    private static string Name(LayerType type) => type.ToString().ToLowerInvariant();

    private static IEnumerable<(string Name, int[] Shape)> TensorsOf(int index, LayerConfig layer, int inputSize)
    {
        string prefix = $"layers.{index}.";
        int gates = LayerSpec.GateCountOf(layer.Type) * layer.Units;
        if (gates > 0)
        {
            yield return (prefix + "weight_ih", [gates, inputSize]);
            yield return (prefix + "weight_hh", [gates, layer.Units]);
            yield return (prefix + "bias_ih", [gates]);
            yield return (prefix + "bias_hh", [gates]);
        }
        else if (layer.Type == LayerType.Dense)
        {
            yield return (prefix + "weight", [layer.Units, inputSize]);
            yield return (prefix + "bias", [layer.Units]);
        }
    }
}
