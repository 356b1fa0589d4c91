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
        int width = timesteps * features.Count;
        var x = new float[windows * width];
        for (int w = 0; w < windows; w++) Input(features, w, timesteps, stride, x.AsSpan(w * width, width));
        return x;
    }

    /// <summary>Window <paramref name="window"/>'s inputs (timesteps, features) into <paramref name="into"/>.</summary>
    public static void Input(IReadOnlyList<float[]> features, int window, int timesteps, int stride, Span<float> into)
    {
        int width = features.Count;
        for (int t = 0; t < timesteps; t++)
        {
            for (int f = 0; f < width; f++) into[t * width + f] = features[f][window * stride + t];
        }
    }

    /// <summary>Y (windows): each window's target, NaN where the target row lies past the end of the series.</summary>
    public static float[] Targets(float[] target, int windows, int timesteps, int horizon, int stride = 1)
    {
        var y = new float[windows];
        for (int w = 0; w < windows; w++) y[w] = Target(target, w, timesteps, horizon, stride);
        return y;
    }

    /// <summary>Window <paramref name="window"/>'s target, NaN where its row lies past the end of the series.</summary>
    public static float Target(float[] target, int window, int timesteps, int horizon, int stride)
    {
        int row = TargetRow(window, timesteps, horizon, stride);
        return row < target.Length ? target[row] : float.NaN;
    }
}
