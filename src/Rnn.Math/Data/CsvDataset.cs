using System.Globalization;
using Rnn.Math.Config;
using Rnn.Math.Model;

namespace Rnn.Math.Data;

/// <summary>
/// A `csv` data source: windows over a series, normalised with statistics fitted on the training part only.
/// The validation windows are the last ones, so validation always lies in the training part's future.
/// </summary>
internal static class CsvDataset
{
    /// <summary>
    /// The windows of the file, not cut yet (<see cref="WindowedSeries"/>): the series is read and normalised here, each
    /// window is cut from it when built or written. With <paramref name="scaling"/> (the training file's, for a
    /// validation file) nothing is fitted here.
    /// </summary>
    public static WindowedSeries Load(DataConfig data, string path, int inputSize, Action<DatasetSize> beforeAllocating, SeriesScaling? scaling = null)
    {
        var columns = data.Columns!;
        string target = data.Target!;
        if (columns.Count != inputSize)
        {
            throw new InputException($"data.columns gives {columns.Count} features per timestep but model.inputSize is {inputSize}");
        }
        var series = CsvSeries.Read(path, columns, target, targetRequired: true);
        int timesteps = data.Timesteps, horizon = data.Horizon, stride = System.Math.Max(1, data.Stride);
        int windows = SlidingWindows.WithTargets(series.Rows, timesteps, horizon, stride);
        if (windows < 1)
        {
            throw new InputException(
                $"{series.FileName}: {series.Rows} data rows are too few for one window: timesteps {timesteps} + horizon {horizon} needs at least {timesteps + horizon} rows");
        }
        int train = ValidationSplit.RequireTrainCount(windows, data.ValidationSplit, "windows");
        // Rows [0, fitRows) are those the training windows read or predict; later rows belong to validation only.
        int fitRows = SlidingWindows.TargetRow(train - 1, timesteps, horizon, stride) + 1;
        scaling ??= new SeriesScaling(
            [.. columns.Select(c => ColumnScaling.Fit(c, data.Normalize, series.Column(c).AsSpan(0, fitRows)))],
            ColumnScaling.Fit(target, data.Normalize, series.Column(target).AsSpan(0, fitRows)));
        // Windows overlap: with stride 1, X holds every row timesteps times, so a modest file can make an array too long for .NET.
        long values = (long)windows * timesteps * columns.Count;
        if (values > Array.MaxLength)
        {
            throw new InputException(string.Create(CultureInfo.InvariantCulture,
                $"data.timesteps: {timesteps} is too large for {series.FileName}: its {windows:N0} windows of {timesteps} × {columns.Count} would hold {MemoryEstimate.Values(values)}, more than one array can hold ({Array.MaxLength:N0})"));
        }
        beforeAllocating(new DatasetSize(windows, train, timesteps, columns.Count));
        var features = Scaled(series, scaling.Features);
        var targets = Scaled(series.Column(target), scaling.Target);
        return new WindowedSeries(new Dataset(default, default, windows, timesteps, columns.Count, 1, SequenceTargets: false, train) { Scaling = scaling },
            (w, into) => SlidingWindows.Input(features, w, timesteps, stride, into),
            (w, into) => into[0] = SlidingWindows.Target(targets, w, timesteps, horizon, stride));
    }

    /// <summary>The feature columns, each normalised by its own statistics.</summary>
    public static float[][] Scaled(CsvSeries series, IReadOnlyList<ColumnScaling> features)
        => [.. features.Select(f => Scaled(series.Column(f.Column), f))];

    public static float[] Scaled(float[] values, ColumnScaling scaling)
        => [.. values.Select(scaling.Apply)];
}
