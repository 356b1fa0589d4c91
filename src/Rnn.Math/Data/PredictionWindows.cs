namespace Rnn.Math.Data;

/// <summary>
/// Every complete window of a new CSV series, ready for `predict`. X is (Windows, Timesteps, Features),
/// normalised as in training. Actual is each window's target in the data's own units, NaN where it is not
/// known (past the end of the file, or no target column). LastLines is the 1-based file line of each
/// window's last row; TargetLines that of its target row, 0 where it lies past the end.
/// </summary>
public sealed record PredictionWindows(
    float[] X,
    int Windows,
    int Timesteps,
    int Features,
    float[] Actual,
    int[] LastLines,
    int[] TargetLines,
    SeriesScaling Scaling)
{
    /// <summary>A prediction of the normalised target, back in the data's own units.</summary>
    public float ToDataUnits(float prediction) => Scaling.Target.Undo(prediction);
}
