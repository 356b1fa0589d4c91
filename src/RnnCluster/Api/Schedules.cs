using System.Text.Json.Nodes;

namespace RnnCluster;

/// <summary>
/// The learning rate step by step (the config's <c>training.schedule</c>), given to
/// <see cref="Sequential.Compile"/>; it scales the optimizer's <see cref="Optimizer.LearningRate"/>. A rate that
/// follows a monitored figure is a callback instead, as in Keras (<see cref="ReduceLROnPlateau"/>).
/// </summary>
public abstract class Schedule
{
    private protected Schedule()
    {
    }

    internal abstract JsonObject ToJson();
}

/// <summary>
/// The rate times <paramref name="gamma"/> every <paramref name="every"/> epochs: lr·gamma^⌊epoch/every⌋, epochs from
/// 0 (torch.optim.lr_scheduler.StepLR).
/// </summary>
/// <param name="every">Epochs between decays.</param>
/// <param name="gamma">The factor of each decay.</param>
public sealed class StepDecay(int every, double gamma = 0.1) : Schedule
{
    /// <summary>Epochs between decays.</summary>
    public int Every { get; } = every >= 1 ? every : throw new ArgumentOutOfRangeException(nameof(every), every, "expected at least 1 epoch");

    /// <summary>The factor of each decay.</summary>
    public double Gamma { get; } = gamma > 0 && !double.IsInfinity(gamma) ? gamma : throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "expected a factor above 0");

    internal override JsonObject ToJson() => new() { ["type"] = "step", ["every"] = Every, ["gamma"] = Gamma };
}

/// <summary>
/// A linear warm-up over <paramref name="warmupSteps"/> steps, then a cosine from the rate down to
/// <paramref name="minLearningRate"/> at the run's last step.
/// </summary>
/// <param name="warmupSteps">Steps of linear warm-up (0: none).</param>
/// <param name="minLearningRate">The rate the cosine ends at.</param>
public sealed class CosineDecay(int warmupSteps = 0, double minLearningRate = 0) : Schedule
{
    /// <summary>Steps of linear warm-up.</summary>
    public int WarmupSteps { get; } = warmupSteps >= 0 ? warmupSteps : throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "expected at least 0 steps");

    /// <summary>The rate the cosine ends at.</summary>
    public double MinLearningRate { get; } = minLearningRate >= 0 && !double.IsInfinity(minLearningRate)
        ? minLearningRate : throw new ArgumentOutOfRangeException(nameof(minLearningRate), minLearningRate, "expected a rate of at least 0");

    internal override JsonObject ToJson() => new() { ["type"] = "cosine", ["warmupSteps"] = WarmupSteps, ["minLearningRate"] = MinLearningRate };
}
