using Rnn.Math.LayerTypes;

namespace Rnn.Math.Model;

/// <summary>
/// Every tensor of the model in one contiguous float buffer, in the order of docs/contract.md (per layer: weight_ih_l0,
/// weight_hh_l0, bias_ih_l0, bias_hh_l0, or weight, bias). Gradients and optimizer moments use the same layout, so reduce, clip and
/// Adam are loops over one array.
/// </summary>
public sealed class ParameterLayout
{
    private readonly Dictionary<string, TensorSlot> _byName;

    /// <param name="tensors">Every tensor under its full name (`layers.i.weight`), in buffer order.</param>
    public ParameterLayout(IEnumerable<LayerTensor> tensors)
    {
        var slots = new List<TensorSlot>();
        int offset = 0;
        foreach (var tensor in tensors)
        {
            var slot = new TensorSlot(tensor.Name, tensor.Shape, offset, tensor.FormerName);
            slots.Add(slot);
            offset += slot.Length;
        }
        Slots = slots;
        Count = offset;
        _byName = slots.ToDictionary(slot => slot.Name);
    }

    /// <summary>The tensors in buffer order.</summary>
    public IReadOnlyList<TensorSlot> Slots { get; }

    /// <summary>The total number of floats: the length of the parameter buffer.</summary>
    public int Count { get; }

    public TensorSlot this[string name] => _byName[name];

    public bool TryGet(string name, out TensorSlot slot) => _byName.TryGetValue(name, out slot!);
}
