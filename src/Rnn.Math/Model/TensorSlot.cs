namespace Rnn.Math.Model;

/// <summary>
/// One named tensor of the model: a view of <see cref="Length"/> floats at <see cref="Offset"/> of the flat parameter
/// buffer. <see cref="FormerName"/> is the name weights files written before PyTorch's names used, or null.
/// </summary>
public sealed record TensorSlot(string Name, int[] Shape, int Offset, string? FormerName = null)
{
    public int Length { get; } = Shape.Aggregate(1, (product, dimension) => product * dimension);

    public Span<float> Of(Span<float> parameters) => parameters.Slice(Offset, Length);

    public ReadOnlySpan<float> Of(ReadOnlySpan<float> parameters) => parameters.Slice(Offset, Length);
}
