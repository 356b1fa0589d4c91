using Rnn.Math.Losses;

namespace RnnCluster.Shared.Protocol;

// Worker -> coordinator, over Akka. Every reply names its job and round, so a late, duplicated or stray reply is
// recognised and dropped by the coordinator. Gradients travel on the data plane, not here.

/// <summary>The worker took the job; its data plane listens at <see cref="Endpoint"/> for the dataset and the weights.</summary>
public sealed record WorkerReady(Guid JobId, string Endpoint) : IProtocolMessage
{
    /// <summary>
    /// The job's data file (<see cref="DataShape.Mapped"/>) is not on this node: it is sent nothing of the dataset at the
    /// start, and fetches each shard's samples (<see cref="FetchSamples"/>).
    /// </summary>
    public bool NeedsData { get; init; }
}

/// <summary>
/// A worker without a copy of the job's data file asks for samples: the rows of <see cref="SampleIds"/> of the training
/// set (or the validation set), which the coordinator sends on the data plane as <c>Samples</c> frames of
/// <see cref="Ticket"/>, packed in this order: x, then y, then the lengths when the data has them.
/// </summary>
public sealed record FetchSamples(Guid JobId, long Ticket, bool Validation, int[] SampleIds) : IProtocolMessage;

/// <summary>The worker holds the whole dataset of the job and can compute any shard of it.</summary>
public sealed record DataReceived(Guid JobId) : IProtocolMessage;

/// <summary>One complete tree node of a shard: which groups it sums and their loss and metric sums (unscaled).</summary>
public readonly record struct PartialSum(int Level, int Index, LossSums Sums);

/// <summary>
/// The shard is done: its tree nodes with their loss sums (their gradients went on along the data plane), and how
/// long the worker computed (milliseconds, not counting the wait for the request).
/// </summary>
public sealed record GradientsComputed(Guid JobId, long RoundId, PartialSum[] Partials, double ComputeMs) : IRoundMessage
{
    /// <summary>A stateful job's states (samples, width) the shard's samples ended with, in request order; null otherwise.</summary>
    public float[]? States { get; init; }
}

/// <summary>The validation shard is done: the loss sums of its tree nodes.</summary>
public sealed record ValidationLossComputed(Guid JobId, long RoundId, PartialSum[] Partials, double ComputeMs) : IRoundMessage;

/// <summary>
/// The worker could not compute its shard (the model or the data made the engine throw). The same request would
/// fail on any worker, so the coordinator stops the job with this message instead of waiting for the round.
/// </summary>
public sealed record ShardFailed(Guid JobId, long RoundId, string Error) : IRoundMessage;

/// <summary>
/// The worker will not take part in the job: it cannot hold it (the memory it would need, or a model whose
/// tensors cannot be arrays), as <see cref="Reason"/> says. The coordinator gives it nothing of this job.
/// </summary>
public sealed record JobRefused(Guid JobId, string Reason) : IProtocolMessage;

/// <summary>
/// The worker refused a message of the job that did not fit (a request's
/// groups, samples or weights version) or that it could not read; <see cref="Reason"/> says which and why.
/// It no longer trusts its copy of the job and drops the job's messages until the job is sent again; the
/// coordinator takes back whatever shard it held (<see cref="RoundId"/> is the round of a refused request,
/// -1 otherwise) and sends it the job again.
/// </summary>
public sealed record MessageRefused(Guid JobId, long RoundId, string Reason) : IRoundMessage;

/// <summary>
/// The worker refused a data-plane frame from the job's member <see cref="SenderId"/> (a tensor that did not fit)
/// and closed its connection; the coordinator redoes the round, without trusting what that sender sent.
/// </summary>
public sealed record FrameRefused(Guid JobId, int SenderId, string Reason) : IProtocolMessage;
