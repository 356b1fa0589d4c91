namespace RnnCluster.Worker.Protocol;

// Worker -> coordinator. Every reply names its job and round, so a late, duplicated or stray reply is
// recognised and dropped by the coordinator.

/// <summary>The worker holds the whole dataset of the job and can compute any shard of it.</summary>
public sealed record DataReceived(Guid JobId) : IProtocolMessage;

/// <summary>
/// A slice of one partial gradient sum: the sum over the groups under tree node (<see cref="Level"/>,
/// <see cref="Index"/>), to be placed at <see cref="Offset"/>. All slices of a node precede the
/// <see cref="GradientsComputed"/> that closes the shard.
/// </summary>
public sealed record GradientChunk(Guid JobId, long RoundId, int Level, int Index, int Offset, float[] Values) : IRoundMessage;

/// <summary>One complete tree node of a shard: which groups it sums and their loss sum (unscaled).</summary>
public readonly record struct PartialSum(int Level, int Index, double Loss);

/// <summary>
/// The shard is done: the nodes whose gradients were sent as <see cref="GradientChunk"/>s, with their loss sums,
/// and how long the worker computed (milliseconds, not counting the wait for the request).
/// </summary>
public sealed record GradientsComputed(Guid JobId, long RoundId, PartialSum[] Partials, double ComputeMs) : IRoundMessage;

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
/// The worker refused a message of the job that did not fit (a chunk's part, offset or length, a request's
/// groups, samples or weights version) or that it could not read; <see cref="Reason"/> says which and why.
/// It no longer trusts its copy of the job and drops the job's messages until the job is sent again; the
/// coordinator takes back whatever shard it held (<see cref="RoundId"/> is the round of a refused request,
/// -1 for a chunk) and sends it the job again.
/// </summary>
public sealed record MessageRefused(Guid JobId, long RoundId, string Reason) : IRoundMessage;
