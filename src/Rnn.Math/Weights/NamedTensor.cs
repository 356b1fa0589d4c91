using System.Numerics.Tensors;

namespace Rnn.Math.Weights;

/// <summary>How a tensor was stored in its file: its values are held as floats either way.</summary>
public enum TensorDtype { Float32, Int32, Int64 }

/// <summary>
/// A tensor with its name and shape, its values as float32; <see cref="Data"/> is row-major, as safetensors stores
/// it. <see cref="Dtype"/> says how the file stored it: integer tensors (ids, lengths) are read into floats exactly.
/// </summary>
public sealed record NamedTensor(string Name, int[] Shape, ReadOnlyMemory<float> Data)
{
    public TensorDtype Dtype { get; init; } = TensorDtype.Float32;

    /// <summary>Whether <see cref="Data"/> is the file's bytes, memory-mapped (<see cref="SafeTensors.Map"/>), rather than a copy.</summary>
    public bool Mapped { get; init; }

    public long ElementCount => ElementsOf(Shape);

    /// <summary>`[200, 50]`, as shapes appear in messages.</summary>
    public static string Format(IReadOnlyList<int> shape) => $"[{string.Join(", ", shape)}]";

    /// <summary>Throws <see cref="InputException"/> naming <paramref name="file"/>, the tensor and the index of its first value that is not finite.</summary>
    public void RequireFinite(string file)
    {
        var values = Data.Span;
        // IsFiniteAll is false for an empty span.
        if (values.IsEmpty || TensorPrimitives.IsFiniteAll(values)) return;
        int at = 0;
        while (float.IsFinite(values[at])) at++;
        throw new InputException($"{file}: tensor \"{Name}\" holds {values[at]} at {IndexOf(at)}");
    }

    /// <summary>`[3, 4, 0]`: a flat row-major index as one index per dimension.</summary>
    public string IndexOf(int flat)
    {
        var index = new int[Shape.Length];
        for (int d = Shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % Shape[d];
            flat /= Shape[d];
        }
        return Format(index);
    }

    public static long ElementsOf(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (int dimension in shape) count *= dimension;
        return count;
    }
}
