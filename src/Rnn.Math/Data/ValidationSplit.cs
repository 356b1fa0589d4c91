namespace Rnn.Math.Data;

/// <summary>Where training ends and validation begins, as Keras's `validation_split` cuts it: the last fraction.</summary>
public static class ValidationSplit
{
    /// <summary>floor(samples × (1 − split)); the split is read as its shortest decimal (0.2f as 0.2), so 10 samples at 0.2 train on 8.</summary>
    public static int TrainCount(int samples, float split)
        => (int)System.Math.Floor(samples * (1.0 - (double)(decimal)split) + 1e-9);

    /// <summary>As <see cref="TrainCount(int, float)"/>, failing when nothing is left to train on.</summary>
    public static int RequireTrainCount(int samples, float split, string what)
    {
        int train = TrainCount(samples, split);
        if (train < 1)
        {
            throw new InputException(
                $"data.validationSplit {split} of {samples} {what} leaves none to train on; lower it or provide more data");
        }
        return train;
    }
}
