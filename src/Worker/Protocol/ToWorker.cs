using Rnn.Math.Config;

namespace RnnCluster.Worker.Protocol;

// Coordinator -> worker. One round reads top to bottom: the job is set up once (StartJob, DataChunk...),
// then each step broadcasts the new weights (WeightsChunk...) and asks each worker for its shard
// (ComputeGradients); at the end of an epoch the validation set is sharded the same way (ComputeValidationLoss).
// When the last epoch is done, JobFinished.

/// <summary>
/// The sizes of the job's dataset. X is (samples, timesteps, inputSize) and Y is (samples, targetsPerSample):
/// outputs, timesteps × outputs, or the class indices of cross-entropy.
/// </summary>
public sealed record DataShape(int TrainSamples, int ValidationSamples, int Timesteps, int InputSize, int TargetsPerSample)
{
    public long Length(DataPart part) => part switch
    {
        DataPart.TrainX => (long)TrainSamples * Timesteps * InputSize,
        DataPart.TrainY => (long)TrainSamples * TargetsPerSample,
        DataPart.ValidationX => (long)ValidationSamples * Timesteps * InputSize,
        DataPart.ValidationY => (long)ValidationSamples * TargetsPerSample,
        _ => throw new ArgumentOutOfRangeException(nameof(part)),
    };
}

/// <summary>The four arrays of a job's dataset, each shipped as a run of <see cref="DataChunk"/>s.</summary>
public enum DataPart : byte { TrainX, TrainY, ValidationX, ValidationY }

/// <summary>Sets the worker up for a job: the model to build, how to train it, and the shape of the data that follows.</summary>
public sealed record StartJob(Guid JobId, ModelConfig Model, TrainingConfig Training, DataShape Shape) : IProtocolMessage;

/// <summary>
/// A slice of one dataset array, <see cref="Values"/> to be placed at <see cref="Offset"/>. The dataset is shipped
/// once per worker in slices small enough for any frame size, so workers need no shared storage.
/// </summary>
public sealed record DataChunk(Guid JobId, DataPart Part, long Offset, float[] Values) : IProtocolMessage;

/// <summary>
/// A slice of the weights of <see cref="Version"/>, to be placed at <see cref="Offset"/>. Every chunk of a version
/// reaches a worker before the request that uses it: Akka keeps the order of messages between two actors.
/// </summary>
public sealed record WeightsChunk(Guid JobId, long Version, int Offset, float[] Values) : IProtocolMessage;

/// <summary>
/// One worker's share of a training step: the groups [<see cref="FirstGroup"/>, <see cref="EndGroup"/>) of a
/// minibatch cut into <see cref="GroupCount"/> groups of the job's group size. <see cref="SampleIds"/> are
/// the dataset indices of exactly those groups' samples, in minibatch order. Any worker can compute any shard:
/// everything it needs is here or in the job.
/// </summary>
public sealed record ComputeGradients(
    Guid JobId,
    long RoundId,
    int Epoch,
    long WeightsVersion,
    int MinibatchSize,
    int GroupCount,
    int FirstGroup,
    int EndGroup,
    int[] SampleIds) : IRoundMessage;

/// <summary>
/// One worker's share of the validation loss: the groups [<see cref="FirstGroup"/>, <see cref="EndGroup"/>) of the
/// validation set taken in order and cut into <see cref="GroupCount"/> groups. No dropout, no gradient.
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
