using Rnn.Math.Config;

namespace Rnn.Math.Data;

/// <summary>Builds `predict` input from a new CSV series with the training run's columns, window and normalisation.</summary>
public static class CsvPrediction
{
    /// <summary>
    /// <paramref name="data"/> is the training config's `data` (columns, target, timesteps, horizon, stride) and
    /// <paramref name="scaling"/> the statistics stored with the model. The feature columns must be present;
    /// the target column may be absent. A window starts every stride rows (every row, unless the model is stateful).
    /// </summary>
    public static PredictionWindows Load(string path, DataConfig data, SeriesScaling scaling)
    {
        var columns = data.Columns ?? throw new ArgumentException("a csv data config lists its columns", nameof(data));
        string target = data.Target!;
        var series = CsvSeries.Read(path, columns, target, targetRequired: false);
        int timesteps = data.Timesteps, horizon = data.Horizon, stride = System.Math.Max(1, data.Stride);
        // Every window with its rows in the file, its target there or not: the windows of a horizon of 0.
        int windows = SlidingWindows.WithTargets(series.Rows, timesteps, horizon: 0, stride);
        if (windows < 1)
        {
            throw new InputException($"{series.FileName}: {series.Rows} data rows are too few for one window of {timesteps} timesteps");
        }
        var x = SlidingWindows.Inputs(CsvDataset.Scaled(series, scaling.Features), windows, timesteps, stride);
        var actual = series.Has(target)
            ? SlidingWindows.Targets(series.Column(target), windows, timesteps, horizon, stride)
            : Enumerable.Repeat(float.NaN, windows).ToArray();
        var lastLines = new int[windows];
        var targetLines = new int[windows];
        for (int w = 0; w < windows; w++)
        {
            lastLines[w] = series.Lines[w * stride + timesteps - 1];
            int row = SlidingWindows.TargetRow(w, timesteps, horizon, stride);
            targetLines[w] = row < series.Rows ? series.Lines[row] : 0;
        }
        return new PredictionWindows(x, windows, timesteps, columns.Count, actual, lastLines, targetLines, scaling);
    }
}
