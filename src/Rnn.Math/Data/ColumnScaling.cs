using Rnn.Math.Config;

namespace Rnn.Math.Data;

/// <summary>
/// One column's normalisation: value' = (value − Offset) / Scale. minmax takes Offset = min and
/// Scale = max − min (values land in [0, 1]); zscore takes the mean and the population standard deviation,
/// as scikit-learn's scalers do. A constant column gets Scale 1 so it maps to 0 instead of dividing by zero.
/// </summary>
public sealed record ColumnScaling(string Column, float Offset, float Scale)
{
    public float Apply(float value) => (value - Offset) / Scale;

    public float Undo(float value) => value * Scale + Offset;

    /// <summary>The statistics of <paramref name="values"/>, summed in double in index order.</summary>
    public static ColumnScaling Fit(string column, Normalization kind, ReadOnlySpan<float> values)
    {
        switch (kind)
        {
            case Normalization.MinMax:
            {
                float min = float.PositiveInfinity, max = float.NegativeInfinity;
                foreach (float v in values)
                {
                    min = MathF.Min(min, v);
                    max = MathF.Max(max, v);
                }
                return new ColumnScaling(column, min, NonZero(max - min));
            }
            case Normalization.ZScore:
            {
                double sum = 0;
                foreach (float v in values) sum += v;
                double mean = sum / values.Length;
                double squares = 0;
                foreach (float v in values) squares += (v - mean) * (v - mean);
                return new ColumnScaling(column, (float)mean, NonZero((float)System.Math.Sqrt(squares / values.Length)));
            }
            default:
                return new ColumnScaling(column, 0f, 1f);
        }
    }

    private static float NonZero(float scale) => scale > 0f ? scale : 1f;
}
