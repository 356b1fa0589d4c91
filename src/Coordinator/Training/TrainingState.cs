using Rnn.Math.Training;

namespace RnnCluster.Coordinator.Training;

/// <summary>
/// The coordinator's whole position in a run, as one value: what it trains from, what a checkpoint holds and
/// what a resume starts from. <see cref="Epoch"/> counts finished epochs, <see cref="Minibatch"/> the finished
/// minibatches of the current one (all of them: its validation is next), <see cref="Step"/> every optimizer
/// step so far (it is also the weights' version). <see cref="Tally"/> is the current epoch so far, so a resumed
/// epoch reports the same line of metrics; <see cref="TrainingSeconds"/> the run's training time up to here,
/// across resumes. A state is never changed: every step makes a new one, and its arrays are never written.
/// </summary>
public sealed record TrainingState(
    int Epoch,
    int Minibatch,
    long Step,
    float[] Weights,
    OptimizerState Optimizer,
    EpochTally Tally,
    IReadOnlyList<EpochMetrics> History,
    double TrainingSeconds)
{
    /// <summary>A run before its first step: the job's initial weights, the optimizer's zero state.</summary>
    public static TrainingState Initial(TrainingJob job)
    {
        var optimizer = Rnn.Math.Training.Optimizer.Create(job.Training.OptimizerOrDefault);
        return new(0, 0, 0, job.InitialWeights, optimizer.Initial(job.InitialWeights.Length), EpochTally.Empty, [], 0);
    }

    /// <summary>Whether every epoch of <paramref name="epochs"/> is done.</summary>
    public bool IsFinished(int epochs) => Epoch >= epochs;

    /// <summary>After one minibatch's optimizer step.</summary>
    public TrainingState Stepped(float[] weights, OptimizerState optimizer, double lossSum, RoundTiming timing,
        IEnumerable<string> workers, double trainingSeconds) => this with
    {
        Minibatch = Minibatch + 1,
        Step = Step + 1,
        Weights = weights,
        Optimizer = optimizer,
        Tally = Tally.AddRound(lossSum, timing, workers),
        TrainingSeconds = trainingSeconds,
    };

    /// <summary>After the epoch's last minibatch and its validation: <paramref name="metrics"/> joins the history.</summary>
    public TrainingState EpochEnded(EpochMetrics metrics) => this with
    {
        Epoch = Epoch + 1,
        Minibatch = 0,
        Tally = EpochTally.Empty,
        History = [.. History, metrics],
        TrainingSeconds = metrics.ElapsedSec,
    };
}

/// <summary>
/// The current epoch so far, what its line of metrics.jsonl is made of: the training loss summed over its
/// samples, the time of its training rounds and of their synchronisation, and the distinct workers (by
/// actor path) that computed any of it.
/// </summary>
public sealed record EpochTally(double LossSum, double TrainingMs, int Rounds, double SyncMs, IReadOnlyList<string> Workers)
{
    public static readonly EpochTally Empty = new(0, 0, 0, 0, []);

    public EpochTally AddRound(double lossSum, RoundTiming timing, IEnumerable<string> workers) => new(
        LossSum + lossSum, TrainingMs + timing.RoundMs, Rounds + 1, SyncMs + (timing.RoundMs - timing.SlowestComputeMs), Union(workers));

    public EpochTally WithWorkers(IEnumerable<string> workers) => this with { Workers = Union(workers) };

    private IReadOnlyList<string> Union(IEnumerable<string> workers) => Workers.Union(workers).Order(StringComparer.Ordinal).ToArray();
}
