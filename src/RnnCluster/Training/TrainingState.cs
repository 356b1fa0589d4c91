using Rnn.Math.Losses;
using Rnn.Math.Training;

namespace RnnCluster.Coordinator.Training;

/// <summary>
/// The coordinator's whole position in a run, as one value: what it trains from, what a checkpoint holds and
/// what a resume starts from. <see cref="Epoch"/> counts finished epochs, <see cref="Minibatch"/> the finished
/// minibatches of the current one (all of them: its validation is next), <see cref="Step"/> every minibatch
/// trained on so far, skipped ones included (it is also the weights' version; the optimizer counts only the
/// updates it made). <see cref="Tally"/> is the current epoch so far, so a resumed epoch reports the same line
/// of metrics; <see cref="TrainingSeconds"/> the run's training time up to here, across resumes;
/// <see cref="BadSteps"/> the steps skipped in a row up to here, so a resumed run stops where it would have.
/// <see cref="StreamStates"/> is a stateful job's carried state, one row per stream (docs/stateful.md).
/// A state is never changed: every step makes a new one, and its arrays are never written.
/// </summary>
public sealed record TrainingState(
    int Epoch,
    int Minibatch,
    long Step,
    float[] Weights,
    OptimizerState Optimizer,
    EpochTally Tally,
    IReadOnlyList<EpochMetrics> History,
    double TrainingSeconds,
    int BadSteps = 0)
{
    /// <summary>A plateau schedule's position after the epochs done so far (<see cref="LearningRateSchedule"/>).</summary>
    public PlateauState Plateau { get; init; } = PlateauState.Start;

    /// <summary>Early stopping's position after the epochs done so far (<see cref="EarlyStopping"/>).</summary>
    public StoppingState Stopping { get; init; } = StoppingState.Start;

    /// <summary>
    /// A stateful job's state per stream (streams, StateWidth) as the next minibatch starts from it: each stream's
    /// state after its last window trained, zero at an epoch's start. Empty for a job that is not stateful.
    /// </summary>
    public float[] StreamStates { get; init; } = [];

    /// <summary>A run before its first step: the job's initial weights, the optimizer's zero state, every stream's state zero.</summary>
    public static TrainingState Initial(TrainingJob job)
    {
        var optimizer = Rnn.Math.Training.Optimizer.Create(job.Training.OptimizerOrDefault);
        return new(0, 0, 0, job.InitialWeights, optimizer.Initial(job.InitialWeights.Length), EpochTally.Empty, [], 0)
        {
            StreamStates = new float[job.StreamStateLength],
        };
    }

    /// <summary>Whether every epoch of <paramref name="epochs"/> is done, or early stopping ended the run.</summary>
    public bool IsFinished(int epochs) => Epoch >= epochs || Stopping.StoppedEpoch is not null;

    /// <summary>After one minibatch's optimizer step; a stateful job's streams go on from <paramref name="streamStates"/>.</summary>
    public TrainingState Stepped(float[] weights, OptimizerState optimizer, LossSums sums, RoundTiming timing,
        IEnumerable<string> workers, double trainingSeconds, float[] streamStates) => this with
    {
        StreamStates = streamStates,
        Minibatch = Minibatch + 1,
        Step = Step + 1,
        Weights = weights,
        Optimizer = optimizer,
        Tally = Tally.AddRound(sums, timing, workers),
        TrainingSeconds = trainingSeconds,
        BadSteps = 0,
    };

    /// <summary>
    /// After a minibatch of <paramref name="samples"/> whose loss, gradient or update was not finite: it is
    /// passed, and the weights, the optimizer and the streams' states stay as they were.
    /// </summary>
    public TrainingState Skipped(int samples, long terms, RoundTiming timing, IEnumerable<string> workers, double trainingSeconds) => this with
    {
        Minibatch = Minibatch + 1,
        Step = Step + 1,
        Tally = Tally.AddSkipped(samples, terms, timing, workers),
        TrainingSeconds = trainingSeconds,
        BadSteps = BadSteps + 1,
    };

    /// <summary>After the epoch's last minibatch and its validation: <paramref name="metrics"/> joins the history, every stream starts again from zero.</summary>
    public TrainingState EpochEnded(EpochMetrics metrics) => this with
    {
        StreamStates = new float[StreamStates.Length],
        Epoch = Epoch + 1,
        Minibatch = 0,
        Tally = EpochTally.Empty,
        History = [.. History, metrics],
        TrainingSeconds = metrics.ElapsedSec,
    };
}

/// <summary>
/// The current epoch so far, what its line of metrics.jsonl is made of: the training loss and metrics summed over
/// the samples of its steps, the time of its training rounds and of their synchronisation, the distinct workers (by
/// actor path) that computed any of it, and the steps skipped for values that were not finite, with their
/// samples and their loss terms (which the epoch's loss leaves out).
/// </summary>
public sealed record EpochTally(
    LossSums Sums, double TrainingMs, int Rounds, double SyncMs, IReadOnlyList<string> Workers, int SkippedSteps = 0, int SkippedSamples = 0,
    long SkippedTerms = 0)
{
    /// <summary>The tally of an epoch with no round yet.</summary>
    public static readonly EpochTally Empty = new(default, 0, 0, 0, []);

    /// <summary>This tally with one more training round: its loss sums, its time and who computed it.</summary>
    public EpochTally AddRound(LossSums sums, RoundTiming timing, IEnumerable<string> workers) => Timed(timing, workers) with
    {
        Sums = Sums + sums,
    };

    /// <summary>A round whose step was skipped: its time counts, its loss does not.</summary>
    public EpochTally AddSkipped(int samples, long terms, RoundTiming timing, IEnumerable<string> workers) => Timed(timing, workers) with
    {
        SkippedSteps = SkippedSteps + 1,
        SkippedSamples = SkippedSamples + samples,
        SkippedTerms = SkippedTerms + terms,
    };

    private EpochTally Timed(RoundTiming timing, IEnumerable<string> workers) => this with
    {
        TrainingMs = TrainingMs + timing.RoundMs,
        Rounds = Rounds + 1,
        SyncMs = SyncMs + (timing.RoundMs - timing.SlowestComputeMs),
        Workers = Union(workers),
    };

    /// <summary>This tally with <paramref name="workers"/> among those who computed the epoch.</summary>
    public EpochTally WithWorkers(IEnumerable<string> workers) => this with { Workers = Union(workers) };

    private IReadOnlyList<string> Union(IEnumerable<string> workers) => Workers.Union(workers).Order(StringComparer.Ordinal).ToArray();
}
