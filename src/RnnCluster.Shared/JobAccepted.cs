using Rnn.Math.Model;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Shared;

/// <summary>
/// Published on the worker's event stream when it takes <see cref="Job"/>: the job, and the network it built from
/// the job's model, once, for its memory check and its shard computer (the worker program names the job by it).
/// Never sent to another node.
/// </summary>
public sealed record JobAccepted(StartJob Job, Network Network);

/// <summary>
/// Published on a worker's event stream as its job ends, before <see cref="Protocol.JobFinished"/>, where the worker
/// fetched its samples: how often and how long compute waited for them. Never sent to another node.
/// </summary>
public sealed record JobSamplesWaited(Guid JobId, Compute.SampleWaits Waits);
