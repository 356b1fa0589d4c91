using Rnn.Math.Config;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Shared.Protocol;

// Coordinator -> worker, over Akka. One round reads top to bottom: the job is set up once (StartJob; the worker
// answers WorkerReady with its data-plane endpoint, and the dataset follows on the data plane), then each step the
// new weights go out on the data plane and each worker is asked for its shard (ComputeGradients); at the end of an
// epoch the validation set is sharded the same way (ComputeValidationLoss). When the last epoch is done, JobFinished.
// Tensors never travel in these messages (see DataPlane/DataPlaneNode.cs), but for a stateful job's carried states:
// a few floats per stream of the request's samples, which must reach the coordinator with the answer so that any
// worker can take the next window of any stream and a dead worker's streams are not lost (docs/stateful.md).

/// <summary>
/// The sizes of the job's dataset. X is (samples, timesteps, inputSize) and Y is (samples, targetsPerSample):
/// outputs, timesteps × outputs, or the class indices of cross-entropy.
/// </summary>
public sealed record DataShape(int TrainSamples, int ValidationSamples, int Timesteps, int InputSize, int TargetsPerSample)
{
    /// <summary>Whether the samples come with their lengths (sequences of different lengths).</summary>
    public bool HasLengths { get; init; }

    /// <summary>
    /// Where every node maps x and y in place instead of being sent them: a safetensors file at the same path on each
    /// node, its content checked by hash before the job starts. Null: the dataset comes on the data plane.
    /// </summary>
    public MappedData? Mapped { get; init; }

    /// <summary>
    /// A worker's own note that it has no copy of the job's data file: it fetches the samples of each shard it
    /// computes from the coordinator (<see cref="FetchSamples"/>) into a <see cref="Compute.SampleCache"/>, and is sent
    /// nothing of the dataset at the start. Never set by the coordinator.
    /// </summary>
    public bool Fetched { get; init; }

    /// <summary>
    /// The floats of <paramref name="part"/> that come on the data plane at the start of the job: none of x and y when
    /// they are <see cref="Mapped"/>, none at all when they are <see cref="Fetched"/>.
    /// </summary>
    public long Length(DataPart part) => part switch
    {
        _ when Fetched => 0,
        DataPart.TrainLengths => HasLengths ? TrainSamples : 0,
        DataPart.ValidationLengths => HasLengths ? ValidationSamples : 0,
        _ when Mapped is not null => 0,
        DataPart.TrainX => (long)TrainSamples * Timesteps * InputSize,
        DataPart.TrainY => (long)TrainSamples * TargetsPerSample,
        DataPart.ValidationX => (long)ValidationSamples * Timesteps * InputSize,
        DataPart.ValidationY => (long)ValidationSamples * TargetsPerSample,
        _ => throw new ArgumentOutOfRangeException(nameof(part)),
    };
}

/// <summary>
/// A safetensors data file every node maps for itself (`x` and `y` float32): the coordinator's path, the SHA-256 of
/// its bytes, and where the training and validation samples begin in it.
/// </summary>
public sealed record MappedData(string Path, string Sha256, int TrainFirst, int ValidationFirst);

/// <summary>The arrays of a job's dataset, each shipped on the data plane; the lengths are empty when every sample is whole.</summary>
public enum DataPart : byte { TrainX, TrainY, ValidationX, ValidationY, TrainLengths, ValidationLengths }

/// <summary>The parts of one set of samples, in the order of a fetch's packed rows: x, y, lengths.</summary>
public static class DataParts
{
    private static readonly DataPart[] Train = [DataPart.TrainX, DataPart.TrainY, DataPart.TrainLengths];
    private static readonly DataPart[] Validation = [DataPart.ValidationX, DataPart.ValidationY, DataPart.ValidationLengths];

    public static ReadOnlySpan<DataPart> Of(bool validation) => validation ? Validation : Train;
}

/// <summary>
/// What a worker needs of a job to compute gradients, and nothing else: the model (as its config JSON, which each
/// layer type writes and reads itself, so a new layer type is no wire change), the loss, truncated BPTT, the group
/// size, the seed (dropout masks) and the batch size (the most a shard can hold, which sizes the memory a worker
/// needs before it takes the job). The optimizer, clipping and epochs are the coordinator's alone, so a new
/// training option is not a wire change either.
/// </summary>
public sealed record WorkerJob(string Model, LossKind Loss, int TruncatedBptt, int GroupSize, ulong Seed, int BatchSize)
{
    /// <summary>A stateful job's streams (its batch size): validation reads the validation windows as min(Streams, windows) streams. 0 otherwise.</summary>
    public int Streams { get; init; }

    public static WorkerJob Of(ModelConfig model, TrainingConfig training)
        => new(model.ToJson().ToJsonString(), training.Loss, training.TruncatedBptt, training.GroupSize, training.Seed, training.BatchSize)
        {
            Streams = model.Layers.OfType<RecurrentConfig>().Any(layer => layer.Stateful) ? training.BatchSize : 0,
        };

    public ModelConfig ParseModel() => ConfigLoader.ParseModel(Model, "StartJob model");
}

/// <summary>
/// Sets the worker up for a job: what to compute, the shape of the data that follows, and the job's data plane:
/// the token every connection of the job presents, the coordinator's endpoint, and the id this worker's frames carry.
/// </summary>
public sealed record StartJob(Guid JobId, WorkerJob Job, DataShape Shape, Guid Token, string CoordinatorEndpoint, int WorkerId) : IProtocolMessage
{
    /// <summary>The id the coordinator's own frames (the data, the weights) carry; workers' ids start above it.</summary>
    public const int CoordinatorId = 0;
}

/// <summary>
/// One worker's share of a training step: shard <see cref="Shard"/> of a minibatch cut into
/// <see cref="GroupCount"/> groups, shard k being the groups [<see cref="ShardBounds"/>[k], [k + 1]).
/// <see cref="SampleIds"/> are the dataset indices of exactly this shard's samples, in minibatch order.
/// <see cref="Holders"/> gives the data-plane endpoint of every shard's worker, so the workers finish the
/// reduction tree among themselves (Rnn.Math.Training.TreeRoutes) and the root alone reaches the coordinator.
/// Any worker can compute any shard: everything it needs is here or in the job.
/// </summary>
public sealed record ComputeGradients(
    Guid JobId,
    long RoundId,
    int Epoch,
    long WeightsVersion,
    int MinibatchSize,
    int GroupCount,
    int Shard,
    int[] ShardBounds,
    string[] Holders,
    int[] SampleIds) : IRoundMessage
{
    /// <summary>The minibatch's loss terms, the count its mean divides by (real steps only, with padding); 0 means every sample has the model's terms per sample.</summary>
    public long LossTerms { get; init; }

    /// <summary>A stateful job's state (samples, width) each of <see cref="SampleIds"/> starts from: its stream's after the window before; null otherwise.</summary>
    public float[]? States { get; init; }

    /// <summary>
    /// The samples of this worker's shard of the next step (the next minibatch, or the next epoch's first), cut a step
    /// ahead by the coordinator and kept when the same workers are usable then, in minibatch order: what a worker
    /// that fetches its samples reads ahead while it computes this shard. Null after the run's last minibatch, and
    /// for a worker that holds the data.
    /// </summary>
    public int[]? NextSampleIds { get; init; }

    /// <summary>
    /// At an epoch's last step, to a worker that fetches its samples: its shard of the validation round that follows,
    /// cut a step ahead like the next training shard, whose first slice it reads ahead. Null otherwise.
    /// </summary>
    public ValidationShard? NextValidation { get; init; }

    public int FirstGroup => ShardBounds[Shard];

    public int EndGroup => ShardBounds[Shard + 1];
}

/// <summary>Groups [<paramref name="FirstGroup"/>, <paramref name="EndGroup"/>) of a validation round of <paramref name="GroupCount"/> groups.</summary>
public sealed record ValidationShard(int GroupCount, int FirstGroup, int EndGroup);

/// <summary>
/// One worker's share of the validation loss: the groups [<see cref="FirstGroup"/>, <see cref="EndGroup"/>) of the
/// validation set taken in order and cut into <see cref="GroupCount"/> groups. No dropout, no gradient. A stateful
/// job's groups are of validation streams, each read window by window from a zero state.
/// </summary>
public sealed record ComputeValidationLoss(
    Guid JobId,
    long RoundId,
    long WeightsVersion,
    int GroupCount,
    int FirstGroup,
    int EndGroup) : IRoundMessage;

/// <summary>
/// The job ended normally: its model is complete. The worker drops the job's replica; `rnn-worker --once`
/// exits 0 on it. A job that ends any other way sends nothing: its workers see the coordinator go.
/// </summary>
public sealed record JobFinished(Guid JobId) : IProtocolMessage;
