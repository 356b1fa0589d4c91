namespace RnnCluster.Coordinator.Training;

/// <summary>
/// One line of `metrics.jsonl`. <see cref="Loss"/> is the mean training loss over the epoch's minibatches,
/// weighted by their samples, skipped ones left out (NaN when every one was skipped); <see cref="ValLoss"/> the
/// mean loss over the validation set after the epoch's last step. <see cref="SeqPerSec"/> counts training
/// samples over training time (validation excluded); <see cref="SyncMsPerRound"/> is a round's time minus its
/// slowest worker's compute, averaged over the epoch; <see cref="SkippedSteps"/> the steps skipped for a loss,
/// gradient or update that was not finite. <see cref="Metrics"/> holds `training.metrics` by name, the training
/// data's (`accuracy`) then the validation data's (`valAccuracy`), over the same terms as the losses.
/// <see cref="LearningRate"/> is the rate of the epoch's last step, under a `training.schedule` (null without one).
/// </summary>
public sealed record EpochMetrics(
    int Epoch,
    double Loss,
    double? ValLoss,
    double SeqPerSec,
    int Workers,
    double ElapsedSec,
    double MsPerStep,
    double SyncMsPerRound,
    int SkippedSteps = 0,
    IReadOnlyDictionary<string, double>? Metrics = null,
    double? LearningRate = null);

/// <summary>
/// A step skipped because <see cref="Reason"/>: step <see cref="Step"/> of the run, minibatch
/// <see cref="Minibatch"/> of <see cref="Minibatches"/> in epoch <see cref="Epoch"/> (counted from 1), the
/// <see cref="InARow"/>th in a row of at most <see cref="MaxInARow"/>.
/// </summary>
public sealed record SkippedStep(int Epoch, int Minibatch, int Minibatches, long Step, string Reason, int InARow, int MaxInARow);

/// <summary>
/// One training step done: <see cref="Minibatch"/> of <see cref="Minibatches"/> in epoch <see cref="Epoch"/>
/// (both counted from 1), with that minibatch's mean loss and the workers that computed it.
/// </summary>
public sealed record StepProgress(int Epoch, int Minibatch, int Minibatches, double Loss, int Workers);

/// <summary>The time of one training round and of its slowest worker's compute, in milliseconds.</summary>
public readonly record struct RoundTiming(double RoundMs, double SlowestComputeMs);

/// <summary>One worker's part of a round: the samples of its shards and how long it computed them, in milliseconds.</summary>
public sealed record WorkerShare(string Worker, int Samples, double ComputeMs);

/// <summary>A training round as the workers did it: its timing and each contributing worker's share.</summary>
public sealed record RoundReport(RoundTiming Timing, IReadOnlyList<WorkerShare> Shares);
