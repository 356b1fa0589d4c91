using System.Numerics.Tensors;
using Rnn.Math.Model;

namespace Rnn.Math.Training;

/// <summary>
/// Finds values that are not finite (NaN, ±infinity) in an array laid out as the parameters are (weights,
/// gradients, optimizer moments), and says where: a step that would put them into the weights is refused with
/// a line that names the tensor.
/// </summary>
public static class NonFinite
{
    /// <summary>Null when every value is finite; else the first one that is not and its tensor: <c>NaN in layers.0.weight_hh_l0</c>.</summary>
    public static string? Find(ReadOnlySpan<float> values, ParameterLayout layout)
    {
        // IsFiniteAll is false for an empty span (SGD's second moment), hence the length.
        if (values.IsEmpty || TensorPrimitives.IsFiniteAll(values)) return null;
        int at = 0;
        while (float.IsFinite(values[at])) at++;
        var slot = layout.Slots.Last(s => s.Offset <= at);
        return $"{Name(values[at])} in {slot.Name}";
    }

    /// <summary><c>NaN</c>, <c>infinity</c> or <c>-infinity</c>, as a sentence says it.</summary>
    public static string Name(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "infinity" : "-infinity";
}
