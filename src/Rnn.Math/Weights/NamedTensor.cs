namespace Rnn.Math.Weights;

/// <summary>A float32 tensor with its name and shape; <see cref="Data"/> is row-major, as safetensors stores it.</summary>
public sealed record NamedTensor(string Name, int[] Shape, ReadOnlyMemory<float> Data)
{
    public long ElementCount => ElementsOf(Shape);

    /// <summary>`[200, 50]`, as shapes appear in messages.</summary>
    public static string Format(IReadOnlyList<int> shape) => $"[{string.Join(", ", shape)}]";

    public static long ElementsOf(IReadOnlyList<int> shape)
    {
        long count = 1;
        foreach (int dimension in shape) count *= dimension;
        return count;
    }
}
