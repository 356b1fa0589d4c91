namespace Rnn.Math.Data;

/// <summary>
/// How a CSV series was normalised: one <see cref="ColumnScaling"/> per feature column, in the order of
/// `data.columns`, and one for the target. Stored in model.json (it serialises with System.Text.Json as it
/// is) so that `predict` normalises new input the same way and returns predictions in the data's own units.
/// </summary>
public sealed record SeriesScaling(IReadOnlyList<ColumnScaling> Features, ColumnScaling Target);
