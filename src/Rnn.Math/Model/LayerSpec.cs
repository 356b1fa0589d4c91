using Rnn.Math.LayerTypes;

namespace Rnn.Math.Model;

/// <summary>
/// One validated entry of the stack with the shapes around it: <see cref="InputSize"/> features in,
/// <see cref="OutputSize"/> out, and whether each side is a sequence (n, T, F) or one vector per sample (n, 1, F).
/// <see cref="Slots"/> are its tensors in the order its <see cref="LayerConfig.Tensors"/> declares them (none for dropout).
/// </summary>
public sealed record LayerSpec(
    int Index,
    LayerConfig Config,
    int InputSize,
    int OutputSize,
    bool InputIsSequence,
    bool OutputIsSequence,
    IReadOnlyList<TensorSlot> Slots);
