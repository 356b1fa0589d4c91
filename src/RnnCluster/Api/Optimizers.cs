using System.Text.Json.Nodes;

namespace RnnCluster;

/// <summary>How <see cref="Sequential.FitAsync(float[,,], float[,], int, int, double, bool, FitOptions?, IProgress{EpochProgress}?, IEnumerable{Callback}?, CancellationToken)"/> updates the weights: the config's <c>training.optimizer</c>, as torch.optim computes it.</summary>
public abstract class Optimizer
{
    private protected Optimizer(double learningRate)
    {
        if (!(learningRate > 0) || double.IsInfinity(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "expected a positive number");
        LearningRate = learningRate;
    }

    /// <summary>The step size.</summary>
    public double LearningRate { get; }

    internal abstract JsonObject ToJson();

    private protected static double NonNegative(double value, string name) =>
        value >= 0 && !double.IsInfinity(value) ? value : throw new ArgumentOutOfRangeException(name, value, "expected a number of at least 0");

    private protected static double Fraction(double value, string name) =>
        value >= 0 && value < 1 ? value : throw new ArgumentOutOfRangeException(name, value, "expected a fraction in [0, 1)");
}

/// <summary>Adam (torch.optim.Adam), with L2 weight decay added to the gradient when <paramref name="weightDecay"/> is above 0.</summary>
/// <param name="learningRate">The step size.</param>
/// <param name="beta1">The decay of the first moment.</param>
/// <param name="beta2">The decay of the second moment.</param>
/// <param name="epsilon">Added to the second moment's root.</param>
/// <param name="weightDecay">The L2 penalty (0: none).</param>
public class Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double weightDecay = 0) : Optimizer(learningRate)
{
    /// <summary>The decay of the first moment.</summary>
    public double Beta1 { get; } = Fraction(beta1, nameof(beta1));

    /// <summary>The decay of the second moment.</summary>
    public double Beta2 { get; } = Fraction(beta2, nameof(beta2));

    /// <summary>Added to the second moment's root.</summary>
    public double Epsilon { get; } = epsilon > 0 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "expected a positive number");

    /// <summary>The weight decay.</summary>
    public double WeightDecay { get; } = NonNegative(weightDecay, nameof(weightDecay));

    private protected virtual string Type => "adam";

    internal override JsonObject ToJson() => new()
    {
        ["type"] = Type, ["learningRate"] = LearningRate, ["beta1"] = Beta1, ["beta2"] = Beta2, ["epsilon"] = Epsilon, ["weightDecay"] = WeightDecay,
    };
}

/// <summary>AdamW (torch.optim.AdamW): Adam with the weight decay applied to the weights, decoupled from the gradient.</summary>
/// <param name="learningRate">The step size.</param>
/// <param name="beta1">The decay of the first moment.</param>
/// <param name="beta2">The decay of the second moment.</param>
/// <param name="epsilon">Added to the second moment's root.</param>
/// <param name="weightDecay">The decoupled decay (PyTorch's default 0.01).</param>
public sealed class AdamW(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-7, double weightDecay = 0.01)
    : Adam(learningRate, beta1, beta2, epsilon, weightDecay)
{
    private protected override string Type => "adamw";
}

/// <summary>RMSprop (torch.optim.RMSprop).</summary>
/// <param name="learningRate">The step size.</param>
/// <param name="rho">The decay of the squared gradients' average (PyTorch's alpha).</param>
/// <param name="epsilon">Added to the average's root.</param>
public sealed class RmsProp(double learningRate = 0.001, double rho = 0.9, double epsilon = 1e-7) : Optimizer(learningRate)
{
    /// <summary>The decay of the squared gradients' average.</summary>
    public double Rho { get; } = Fraction(rho, nameof(rho));

    /// <summary>Added to the average's root.</summary>
    public double Epsilon { get; } = epsilon > 0 ? epsilon : throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "expected a positive number");

    internal override JsonObject ToJson() => new() { ["type"] = "rmsprop", ["learningRate"] = LearningRate, ["rho"] = Rho, ["epsilon"] = Epsilon };
}

/// <summary>Stochastic gradient descent (torch.optim.SGD), with momentum and Nesterov's form of it.</summary>
/// <param name="learningRate">The step size.</param>
/// <param name="momentum">The momentum, in [0, 1).</param>
/// <param name="nesterov">Nesterov momentum (needs a momentum above 0).</param>
public sealed class Sgd(double learningRate = 0.01, double momentum = 0, bool nesterov = false) : Optimizer(learningRate)
{
    /// <summary>The momentum.</summary>
    public double Momentum { get; } = nesterov && momentum == 0
        ? throw new ArgumentException("Nesterov momentum needs a momentum above 0", nameof(nesterov))
        : Fraction(momentum, nameof(momentum));

    /// <summary>Whether the momentum is Nesterov's.</summary>
    public bool Nesterov { get; } = nesterov;

    internal override JsonObject ToJson() => new() { ["type"] = "sgd", ["learningRate"] = LearningRate, ["momentum"] = Momentum, ["nesterov"] = Nesterov };
}
