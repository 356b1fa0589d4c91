using Rnn.Math.Config;

namespace Rnn.Math.Model;

/// <summary>
/// One validated entry of the stack with the shapes around it: <see cref="InputSize"/> features in,
/// <see cref="OutputSize"/> out, and whether each side is a sequence (n, T, F) or one vector per sample (n, 1, F).
/// <see cref="Slots"/> are its tensors in the order of docs/contract.md (none for dropout).
/// </summary>
public sealed record LayerSpec(
    int Index,
    LayerConfig Config,
    int InputSize,
    int OutputSize,
    bool InputIsSequence,
    bool OutputIsSequence,
    IReadOnlyList<TensorSlot> Slots)
{
    /// <summary>Gates per unit in PyTorch order: LSTM i,f,g,o (4); GRU r,z,n (3); rnn (1); 0 for other layers.</summary>
    public int GateCount => GateCountOf(Config.Type);

    public bool IsRecurrent => GateCount > 0;

    public static int GateCountOf(LayerType type) => type switch
    {
        LayerType.Lstm => 4,
        LayerType.Gru => 3,
        LayerType.Rnn => 1,
        _ => 0,
    };
}
