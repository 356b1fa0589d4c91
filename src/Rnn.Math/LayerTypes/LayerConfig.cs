using System.Text.Json.Nodes;
using Rnn.Math.Export;
using Rnn.Math.Layers;
using Rnn.Math.Model;

namespace Rnn.Math.LayerTypes;

/// <summary>
/// One entry of `model.layers`, and everything its type means, in one place as PyTorch's module constructors and
/// Keras's build() keep it: the fields the config file gives it, its tensors with PyTorch's names and shapes, its
/// Keras initialiser, the runtime layer that computes it, and its ONNX nodes. A layer type is one record deriving
/// from this one (see <see cref="LstmConfig"/>), listed once in <see cref="LayerRegistry"/>.
/// </summary>
public abstract record LayerConfig
{
    /// <summary>The value of its `type` field in the config file.</summary>
    public abstract string TypeName { get; }

    /// <summary>Features per output row, given features per input row.</summary>
    public abstract int OutputSize(int inputSize);

    /// <summary>Whether the output is a sequence (n, T, F) rather than one vector per sample, given the input's.</summary>
    public abstract bool OutputIsSequence(bool inputIsSequence);

    /// <summary>True when the layer reads a sequence and refuses one vector per sample.</summary>
    public virtual bool NeedsSequenceInput => false;

    /// <summary>
    /// Refuses values a config built in code can hold (the config reader refuses them in a file); <paramref name="field"/>
    /// is the layer's path, `model.layers[i]`.
    /// </summary>
    public abstract void Validate(string field);

    /// <summary>Its tensors in buffer order, named as PyTorch names them inside the layer's module; none for dropout.</summary>
    public abstract IReadOnlyList<LayerTensor> Tensors(int inputSize);

    /// <summary>The config file's object for this layer, which the config reader reads back to an equal record.</summary>
    public abstract JsonObject ToJson();

    /// <summary>Fills the layer's slots as Keras initialises them; every draw keyed by (seed, layer index, tensor, element).</summary>
    internal abstract void Initialize(LayerSpec spec, Span<float> parameters, ulong seed);

    /// <param name="lossAppliesSoftmax">True for the last layer when the loss takes logits and applies the softmax itself.</param>
    internal abstract ILayer Build(LayerSpec spec, bool lossAppliesSoftmax);

    /// <summary>Adds the layer's inference nodes on <paramref name="input"/> (batch-first, as in <see cref="LayerSpec"/>) and returns their output.</summary>
    internal abstract string AddOnnxNodes(OnnxGraph graph, LayerSpec spec, ReadOnlySpan<float> parameters, string input);
}

/// <summary>
/// One tensor as its layer declares it: the name within the layer (PyTorch's attribute, e.g. `weight_ih_l0`), the
/// shape, and <see cref="FormerName"/>, the name files written before the PyTorch names used, still read.
/// </summary>
public sealed record LayerTensor(string Name, int[] Shape, string? FormerName = null);
