namespace Rnn.Math.Data;

/// <summary>
/// Cuts a series into windows every <c>stride</c> rows: window w reads rows [w·stride, w·stride + timesteps) and
/// predicts the target at row w·stride + timesteps − 1 + horizon, so horizon 1 is the row right after the window.
/// Stride 1 (the default) makes every window overlap the next; stride = timesteps makes them follow each other.
/// </summary>
internal static class SlidingWindows
{
    /// <summary>Windows whose target lies inside <paramref name="rows"/> rows (zero or negative when there is none).</summary>
    public static int WithTargets(int rows, int timesteps, int horizon, int stride = 1)
    {
        int last = rows - timesteps - horizon;
        return last < 0 ? last + 1 : last / stride + 1;
    }

    public static int TargetRow(int window, int timesteps, int horizon, int stride = 1) => window * stride + timesteps - 1 + horizon;

    /// <summary>X (windows, timesteps, features) from one array per feature column.</summary>
    public static float[] Inputs(IReadOnlyList<float[]> features, int windows, int timesteps, int stride = 1)
    {
        int width = features.Count;
        var x = new float[windows * timesteps * width];
        for (int w = 0; w < windows; w++)
        {
            for (int t = 0; t < timesteps; t++)
            {
                for (int f = 0; f < width; f++) x[(w * timesteps + t) * width + f] = features[f][w * stride + t];
            }
        }
        return x;
    }

    /// <summary>Y (windows): each window's target, NaN where the target row lies past the end of the series.</summary>
    public static float[] Targets(float[] target, int windows, int timesteps, int horizon, int stride = 1)
    {
        var y = new float[windows];
        for (int w = 0; w < windows; w++)
        {
            int row = TargetRow(w, timesteps, horizon, stride);
            y[w] = row < target.Length ? target[row] : float.NaN;
        }
        return y;
    }
}
