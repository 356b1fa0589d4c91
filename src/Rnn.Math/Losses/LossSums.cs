using Rnn.Math.Config;

namespace Rnn.Math.Losses;

/// <summary>
/// What a group of samples adds to a minibatch's figures, each an unscaled sum over its loss terms: the loss, the
/// terms that <c>accuracy</c> counts as right, and the absolute and squared errors behind <c>mae</c>, <c>mse</c>
/// and <c>rmse</c>. Groups are summed in the reduction tree's order, so each figure is the same bits on any number
/// of workers; each metric is its sum over the same terms as the loss.
/// </summary>
public readonly record struct LossSums(double Loss, double Hits, double AbsError, double SquaredError)
{
    public static LossSums operator +(LossSums a, LossSums b)
        => new(a.Loss + b.Loss, a.Hits + b.Hits, a.AbsError + b.AbsError, a.SquaredError + b.SquaredError);

    /// <summary>
    /// The sums of <paramref name="rows"/> output rows of <paramref name="width"/> against their targets, with
    /// <paramref name="loss"/> their loss sum. Accuracy is Keras's choice for the loss: the arg max of the logits
    /// against the class id for cross-entropy, else for one output the 0.5 threshold against the target (Keras's
    /// binary accuracy, an exact match); a regression of several outputs has no accuracy.
    /// </summary>
    public static LossSums Of(LossKind kind, double loss, ReadOnlySpan<float> output, ReadOnlySpan<float> target, int rows, int width)
    {
        if (kind == LossKind.CrossEntropy)
        {
            double hits = 0;
            for (int row = 0; row < rows; row++)
                if (ArgMax(output.Slice(row * width, width)) == target[row]) hits++;
            return new(loss, hits, 0, 0);
        }
        double right = 0, absolute = 0, squared = 0;
        for (int i = 0; i < rows * width; i++)
        {
            double error = (double)output[i] - target[i];
            absolute += System.Math.Abs(error);
            squared += error * error;
            if (width == 1 && target[i] == (output[i] > 0.5f ? 1f : 0f)) right++;
        }
        return new(loss, right, absolute, squared);
    }

    /// <summary>The index of the first largest value, as torch.argmax and tf.argmax: the class a row of logits or probabilities picks.</summary>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int j = 1; j < values.Length; j++)
            if (values[j] > values[best]) best = j;
        return best;
    }
}
