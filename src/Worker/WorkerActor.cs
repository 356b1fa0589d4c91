using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using RnnCluster.Worker.Compute;
using RnnCluster.Worker.Hosting;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Worker;

/// <summary>
/// Holds a replica of one job (its dataset and the latest weights) and computes whatever shard it is asked for.
/// It makes no decision: which samples, which weights and what to do with the gradients are the coordinator's.
/// A new <see cref="StartJob"/> replaces the job; messages of any other job are dropped. The start and the end
/// (<see cref="JobFinished"/>) of its job go on the event stream too, for whoever reports on the worker.
/// </summary>
public sealed class WorkerActor : ReceiveActor
{
    /// <summary>The path a coordinator resolves on every member of role `worker`.</summary>
    public const string Name = "worker";

    private readonly int _threads;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private JobReplica? _replica;
    private ShardComputer? _computer;

    public WorkerActor(int threads)
    {
        _threads = threads;
        Receive<StartJob>(Start);
        Receive<DataChunk>(chunk => Current(chunk) is not null, chunk => ReceiveData(_replica!, chunk));
        Receive<WeightsChunk>(chunk => Current(chunk) is not null, chunk => _replica!.Add(chunk));
        Receive<ComputeGradients>(request => Current(request) is not null, request => Reporting(request.JobId, request.RoundId, () => ComputeGradients(request)));
        Receive<ComputeValidationLoss>(request => Current(request) is not null, request => Reporting(request.JobId, request.RoundId, () => ComputeValidationLoss(request)));
        Receive<JobFinished>(finished => Current(finished) is not null, Finish);
        Receive<IProtocolMessage>(message => _log.Debug("dropped {0} of job {1}, not the current job", message.GetType().Name, message.JobId));
    }

    /// <param name="threads">Engines computing a shard side by side (`--threads`).</param>
    public static Props Props(int threads)
        => Akka.Actor.Props.Create(() => new WorkerActor(threads)).WithDispatcher(ActorSystemSettings.WorkerDispatcher);

    private JobReplica? Current(IProtocolMessage message) => _replica?.Job.JobId == message.JobId ? _replica : null;

    private void Start(StartJob job)
    {
        _computer = new ShardComputer(job, _threads);
        _replica = new JobReplica(job, _computer.ParameterCount);
        if (_replica.HasAllData) Sender.Tell(new DataReceived(job.JobId));
        Context.System.EventStream.Publish(job);
    }

    /// <summary>The model is complete: the dataset and weights held for it are of no more use.</summary>
    private void Finish(JobFinished finished)
    {
        (_replica, _computer) = (null, null);
        Context.System.EventStream.Publish(finished);
    }

    private void ReceiveData(JobReplica replica, DataChunk chunk)
    {
        bool wasComplete = replica.HasAllData;
        replica.Add(chunk);
        if (!wasComplete && replica.HasAllData) Sender.Tell(new DataReceived(chunk.JobId));
    }

    private void ComputeGradients(ComputeGradients request)
    {
        if (!HasWeights(request.WeightsVersion)) return;
        var watch = Stopwatch.StartNew();
        var partials = _computer!.Gradients(_replica!, request);
        double computeMs = watch.Elapsed.TotalMilliseconds;
        foreach (var (node, gradient, _) in partials)
            foreach (var (offset, values) in TensorChunks.Split(gradient))
                Sender.Tell(new GradientChunk(request.JobId, request.RoundId, node.Level, node.Index, offset, values));
        var sums = partials.Select(p => new PartialSum(p.Node.Level, p.Node.Index, p.Loss)).ToArray();
        Sender.Tell(new GradientsComputed(request.JobId, request.RoundId, sums, computeMs));
    }

    private void ComputeValidationLoss(ComputeValidationLoss request)
    {
        if (!HasWeights(request.WeightsVersion)) return;
        var watch = Stopwatch.StartNew();
        var sums = _computer!.ValidationLoss(_replica!, request);
        Sender.Tell(new ValidationLossComputed(request.JobId, request.RoundId, sums, watch.Elapsed.TotalMilliseconds));
    }

    /// <summary>Turns a failed computation into a reply: a restarted worker would lose its replica and leave the round hanging.</summary>
    private void Reporting(Guid jobId, long roundId, Action compute)
    {
        try
        {
            compute();
        }
        catch (Exception e)
        {
            _log.Error(e, "round {0} failed", roundId);
            Sender.Tell(new ShardFailed(jobId, roundId, e.Message));
        }
    }

    /// <summary>
    /// The coordinator sends the data and the weights before the request that needs them and Akka keeps that
    /// order, so a mismatch is a protocol fault: refuse to compute with the wrong weights and say so loudly.
    /// </summary>
    private bool HasWeights(long version)
    {
        if (_replica!.HasAllData && _replica.WeightsVersion == version) return true;
        _log.Error("round skipped: holds weights {0} and {1} data, asked for weights {2}",
            _replica.WeightsVersion, _replica.HasAllData ? "all" : "partial", version);
        return false;
    }
}
