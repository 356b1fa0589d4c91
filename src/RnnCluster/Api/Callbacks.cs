using System.Text.Json.Nodes;

namespace RnnCluster;

/// <summary>
/// What a fit does between epochs beyond training (Keras's <c>callbacks</c> of <c>fit</c>), given to
/// <see cref="Sequential.FitAsync(float[,,], float[,], int, int, double, bool, FitOptions?, IProgress{EpochProgress}?, IEnumerable{Callback}?, CancellationToken)"/>.
/// Each is part of the run's config, so it runs inside the coordinator, is kept in checkpoints and gives the same
/// bits on any number of workers. (An epoch's figures reach the program through <see cref="IProgress{T}"/>.)
/// </summary>
public abstract class Callback
{
    private protected Callback(string monitor)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(monitor, nameof(monitor));
        Monitor = monitor;
    }

    /// <summary>The figure it watches, by its logged name: <c>valLoss</c>, <c>loss</c>, <c>valAccuracy</c>, ... (an accuracy improves upwards).</summary>
    public string Monitor { get; }

    /// <summary>Adds itself to the run's <c>training</c> object; throws when another callback already took its place.</summary>
    internal abstract void AddTo(JsonObject training);

    private protected static int AtLeastOne(int value, string name) =>
        value >= 1 ? value : throw new ArgumentOutOfRangeException(name, value, "expected at least 1 epoch");

    private protected static double NonNegative(double value, string name) =>
        value >= 0 && !double.IsInfinity(value) ? value : throw new ArgumentOutOfRangeException(name, value, "expected a number of at least 0");
}

/// <summary>
/// Stops the fit once <see cref="Callback.Monitor"/> has not improved by more than <paramref name="minDelta"/> for
/// <paramref name="patience"/> epochs in a row (Keras's EarlyStopping; the config's <c>training.earlyStopping</c>);
/// with <paramref name="restoreBestWeights"/> the model keeps the best epoch's weights. <see cref="History.BestEpoch"/>
/// and <see cref="History.StoppedEpoch"/> say what happened.
/// </summary>
/// <param name="monitor">The figure to watch.</param>
/// <param name="patience">Epochs in a row without improvement before stopping, counted as Keras counts them.</param>
/// <param name="minDelta">The least change that counts as an improvement.</param>
/// <param name="restoreBestWeights">Keep the best epoch's weights rather than the last's.</param>
public sealed class EarlyStopping(string monitor = "valLoss", int patience = 5, double minDelta = 0, bool restoreBestWeights = true) : Callback(monitor)
{
    /// <summary>Epochs without improvement before stopping.</summary>
    public int Patience { get; } = AtLeastOne(patience, nameof(patience));

    /// <summary>The least change that counts as an improvement.</summary>
    public double MinDelta { get; } = NonNegative(minDelta, nameof(minDelta));

    /// <summary>Whether the model keeps the best epoch's weights.</summary>
    public bool RestoreBestWeights { get; } = restoreBestWeights;

    internal override void AddTo(JsonObject training)
    {
        if (training.ContainsKey("earlyStopping")) throw new ArgumentException("more than one EarlyStopping: give one", "callbacks");
        training["earlyStopping"] = new JsonObject { ["monitor"] = Monitor, ["patience"] = Patience, ["minDelta"] = MinDelta, ["restoreBest"] = RestoreBestWeights };
    }
}

/// <summary>
/// Multiplies the learning rate by <paramref name="factor"/> once <see cref="Callback.Monitor"/> has not improved for
/// <paramref name="patience"/> epochs, down to <paramref name="minLearningRate"/> (Keras's and torch's
/// ReduceLROnPlateau; the config's <c>plateau</c> schedule). It is the run's schedule, so it does not go with
/// one given to <see cref="Sequential.Compile"/>.
/// </summary>
/// <param name="monitor">The figure to watch.</param>
/// <param name="factor">The factor of each reduction, in (0, 1).</param>
/// <param name="patience">Epochs without improvement before a reduction.</param>
/// <param name="minLearningRate">The rate it never goes below.</param>
public sealed class ReduceLROnPlateau(string monitor = "valLoss", double factor = 0.5, int patience = 5, double minLearningRate = 0) : Callback(monitor)
{
    /// <summary>The factor of each reduction.</summary>
    public double Factor { get; } = factor > 0 && factor < 1 ? factor : throw new ArgumentOutOfRangeException(nameof(factor), factor, "expected a factor in (0, 1)");

    /// <summary>Epochs without improvement before a reduction.</summary>
    public int Patience { get; } = AtLeastOne(patience, nameof(patience));

    /// <summary>The rate it never goes below.</summary>
    public double MinLearningRate { get; } = NonNegative(minLearningRate, nameof(minLearningRate));

    internal override void AddTo(JsonObject training)
    {
        if (training.ContainsKey("schedule"))
            throw new ArgumentException("ReduceLROnPlateau is the run's schedule, and the model was compiled with one (or another ReduceLROnPlateau was given): give one of them", "callbacks");
        training["schedule"] = new JsonObject
        {
            ["type"] = "plateau", ["monitor"] = Monitor, ["factor"] = Factor, ["patience"] = Patience, ["minLearningRate"] = MinLearningRate,
        };
    }
}
