using Rnn.Math.Config;

namespace Rnn.Math.Losses;

/// <summary>
/// `training.metrics`: each a figure of a set of loss terms, from their <see cref="LossSums"/>. Named in
/// metrics.jsonl as <see cref="Name"/>, and with validation data also as <see cref="ValidationName"/>.
/// </summary>
public static class Metrics
{
    public static string Name(MetricKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>`val` + Name: `valAccuracy`, as Keras's `val_accuracy` in camelCase.</summary>
    public static string ValidationName(MetricKind kind) => "val" + kind;

    public static double Value(MetricKind kind, LossSums sums, double terms) => kind switch
    {
        MetricKind.Accuracy => sums.Hits / terms,
        MetricKind.Perplexity => System.Math.Exp(sums.Loss / terms),
        MetricKind.Mae => sums.AbsError / terms,
        MetricKind.Mse => sums.SquaredError / terms,
        MetricKind.Rmse => System.Math.Sqrt(sums.SquaredError / terms),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>Each of <paramref name="kinds"/> under <paramref name="name"/>, in their order.</summary>
    public static IEnumerable<KeyValuePair<string, double>> Values(IEnumerable<MetricKind> kinds, LossSums sums, double terms, Func<MetricKind, string> name)
        => kinds.Select(kind => KeyValuePair.Create(name(kind), Value(kind, sums, terms)));

    /// <summary>
    /// Why <paramref name="kind"/> means nothing for a model trained with <paramref name="loss"/> whose last layer
    /// has <paramref name="outputs"/> units, or null when it does.
    /// </summary>
    public static string? Unfit(MetricKind kind, LossKind loss, int outputs) => kind switch
    {
        MetricKind.Perplexity when loss != LossKind.CrossEntropy
            => $"perplexity is the exponential of a mean cross-entropy, and this run's loss is {Name(loss)}",
        MetricKind.Mae or MetricKind.Mse or MetricKind.Rmse when loss == LossKind.CrossEntropy
            => $"{Name(kind)} compares outputs with regression targets, and a crossentropy model's outputs are logits of classes (use accuracy or perplexity)",
        MetricKind.Accuracy when loss != LossKind.CrossEntropy && outputs != 1
            => $"accuracy needs classes: loss crossentropy, or one output to threshold at 0.5, and this model has {outputs} outputs and loss {Name(loss)}",
        _ => null,
    };

    /// <summary>The one-line warning of Keras's accuracy on a regression loss, or null.</summary>
    public static string? Warning(IEnumerable<MetricKind> kinds, LossKind loss)
        => loss != LossKind.CrossEntropy && kinds.Contains(MetricKind.Accuracy)
            ? $"warning: training.metrics: accuracy with loss {Name(loss)} is Keras's binary accuracy, the share of outputs that, thresholded at 0.5, equal their target exactly; it says little about a regression"
            : null;

    private static string Name(LossKind loss) => loss.ToString().ToLowerInvariant();
}
