using Rnn.Math.Training;

namespace RnnCluster.Coordinator.Training;

/// <summary>
/// The minibatches of one epoch: the sample order (a permutation from (seed, epoch) when shuffling, so it is
/// the same on every run and after a resume) cut into runs of batchSize; the last one may be shorter. A stateful
/// job's order is its streams' (<see cref="StreamLayout.Order"/>): minibatch k is window k of every stream.
/// </summary>
public sealed class EpochPlan
{
    private readonly int[] _order;
    private readonly int _batchSize;

    /// <summary>The plan of epoch <paramref name="epoch"/>: <paramref name="samples"/> in minibatches of <paramref name="batchSize"/>, in an order drawn from <paramref name="seed"/> and the epoch when <paramref name="shuffle"/>.</summary>
    public EpochPlan(int samples, int batchSize, bool shuffle, ulong seed, int epoch)
        : this(shuffle ? CounterRandom.Permutation(samples, seed, (ulong)epoch) : Enumerable.Range(0, samples).ToArray(), batchSize)
    {
    }

    private EpochPlan(int[] order, int batchSize) => (_order, _batchSize) = (order, batchSize);

    /// <summary>The plan of <paramref name="job"/>'s epoch <paramref name="epoch"/>: its streams' order when it is stateful.</summary>
    public static EpochPlan Of(TrainingJob job, int epoch) => job.Streams is { } streams
        ? new EpochPlan(streams.Order(), streams.Count)
        : new EpochPlan(job.Train.Samples, job.Training.BatchSize, job.Training.Shuffle, job.Training.Seed, epoch);

    /// <summary>How many minibatches the epoch has (the last one may be short).</summary>
    public int MinibatchCount => MinibatchesOf(_order.Length, _batchSize);

    /// <summary>The number of minibatches of an epoch over <paramref name="samples"/>: the last one may be short.</summary>
    public static int MinibatchesOf(int samples, int batchSize) => (samples + batchSize - 1) / batchSize;

    /// <summary>The dataset indices of minibatch <paramref name="index"/>, in minibatch order.</summary>
    public ReadOnlySpan<int> Minibatch(int index)
    {
        int first = index * _batchSize;
        return _order.AsSpan(first, System.Math.Min(_batchSize, _order.Length - first));
    }

    /// <summary>The number of gradient groups of <paramref name="samples"/> samples: the last group may be short.</summary>
    public static int GroupCount(int samples, int groupSize) => (samples + groupSize - 1) / groupSize;
}
