namespace RnnCluster.Coordinator.Training;

/// <summary>
/// One line of `metrics.jsonl`. <see cref="Loss"/> is the mean training loss over the epoch's minibatches,
/// weighted by their samples; <see cref="ValLoss"/> the mean loss over the validation set after the epoch's last
/// step. <see cref="SeqPerSec"/> counts training samples over training time (validation excluded);
/// <see cref="SyncMsPerRound"/> is a round's time minus its slowest worker's compute, averaged over the epoch.
/// </summary>
public sealed record EpochMetrics(
    int Epoch,
    double Loss,
    double? ValLoss,
    double SeqPerSec,
    int Workers,
    double ElapsedSec,
    double MsPerStep,
    double SyncMsPerRound);

/// <summary>The time of one training round and of its slowest worker's compute, in milliseconds.</summary>
public readonly record struct RoundTiming(double RoundMs, double SlowestComputeMs);
