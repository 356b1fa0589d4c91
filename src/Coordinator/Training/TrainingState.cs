using Rnn.Math.Training;

namespace RnnCluster.Coordinator.Training;

/// <summary>
/// The coordinator's whole position in a run, as data: enough to write a checkpoint and to continue from it with
/// the same bits. <see cref="Epoch"/> counts finished epochs, <see cref="Minibatch"/> the finished minibatches of
/// the current one, <see cref="Step"/> every optimizer step so far (it is also the weights' version).
/// The epoch's loss so far is kept as its sum so that a resumed epoch reports the same mean.
/// </summary>
public sealed record TrainingState(
    int Epoch,
    int Minibatch,
    long Step,
    float[] Weights,
    OptimizerState Optimizer,
    double EpochLossSum,
    IReadOnlyList<EpochMetrics> History);
