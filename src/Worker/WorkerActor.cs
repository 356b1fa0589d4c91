using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Event;
using Rnn.Math;
using Rnn.Math.Model;
using RnnCluster.Worker.Compute;
using RnnCluster.Worker.Hosting;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Worker;

/// <summary>
/// Holds a replica of one job (its dataset and the latest weights) and computes whatever shard it is asked for.
/// It makes no decision: which samples, which weights and what to do with the gradients are the coordinator's.
/// A new <see cref="StartJob"/> replaces the job; messages of any other job are dropped. A job it cannot hold
/// is refused before anything is allocated (<see cref="JobRefused"/>). A message of its job that does not fit
/// (<see cref="JobReplica"/> says why) or cannot be read is refused once (<see cref="MessageRefused"/>): it then
/// drops the job's messages until the coordinator sends the job again. The start, refusal and end
/// (<see cref="JobFinished"/>) of its job go on the event stream too, for whoever reports on the worker.
/// </summary>
public sealed class WorkerActor : ReceiveActor
{
    /// <summary>The path a coordinator resolves on every member of role `worker`.</summary>
    public const string Name = "worker";

    private readonly int _threads;
    private readonly double _memoryBytes;
    private readonly TestFaults _faults;
    private readonly Slowdown _slowdown;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private JobReplica? _replica;
    private ShardComputer? _computer;
    private bool _refusing;
    private bool _faultCommitted;
    private int _trainingShards;

    public WorkerActor(int threads, TestFaults faults, double memoryBytes, Slowdown slowdown)
    {
        (_threads, _faults, _memoryBytes, _slowdown) = (threads, faults, memoryBytes, slowdown);
        Receive<StartJob>(Start);
        Receive<JobFinished>(finished => Current(finished) is not null, Finish);
        Receive<IProtocolMessage>(_ => _refusing, message => _log.Debug("dropped {0}: waiting for the job to be sent again", message.GetType().Name));
        Receive<DataChunk>(chunk => Current(chunk) is not null, ReceiveData);
        Receive<WeightsChunk>(chunk => Current(chunk) is not null, chunk => Accept(chunk.JobId, -1, _replica!.Add(chunk)));
        Receive<ComputeGradients>(request => Current(request) is not null, request =>
        {
            if (Accept(request.JobId, request.RoundId, _replica!.Check(request)))
                Reporting(request.JobId, request.RoundId, () => ComputeGradients(request));
        });
        Receive<ComputeValidationLoss>(request => Current(request) is not null, request =>
        {
            if (Accept(request.JobId, request.RoundId, _replica!.Check(request)))
                Reporting(request.JobId, request.RoundId, () => ComputeValidationLoss(request));
        });
        Receive<UndecodableMessage>(message =>
        {
            if (!_refusing) Refuse(message.JobId, -1, $"a {message.Manifest} message it could not read: {message.Reason}");
        });
        Receive<IProtocolMessage>(message => _log.Debug("dropped {0} of job {1}, not the current job", message.GetType().Name, message.JobId));
    }

    /// <param name="threads">Engines computing a shard side by side (`--threads`).</param>
    /// <param name="faults">Faults to commit on purpose, for tests (<see cref="TestFaults"/>); none by default.</param>
    /// <param name="memoryBytes">The memory a job may take here; by default what the machine (or container) has.</param>
    /// <param name="slowdown">A test hook that makes this worker slow on purpose; none in use.</param>
    public static Props Props(int threads, TestFaults? faults = null, double? memoryBytes = null, Slowdown? slowdown = null)
        => Akka.Actor.Props.Create(() => new WorkerActor(threads, faults ?? TestFaults.None, memoryBytes ?? MemoryEstimate.MachineBytes, slowdown ?? Slowdown.None))
            .WithDispatcher(ActorSystemSettings.WorkerDispatcher);

    private JobReplica? Current(IProtocolMessage message) => _replica?.Job.JobId == message.JobId ? _replica : null;

    private void Start(StartJob job)
    {
        (_replica, _computer, _refusing) = (null, null, false);
        if (Unfit(job) is { } reason)
        {
            _log.Info("refused job {0}: {1}", job.JobId, reason);
            var refused = new JobRefused(job.JobId, reason);
            Sender.Tell(refused);
            Context.System.EventStream.Publish(refused);
            return;
        }
        _computer = new ShardComputer(job, _threads);
        _replica = new JobReplica(job, _computer.ParameterCount);
        if (_replica.HasAllData) Sender.Tell(new DataReceived(job.JobId));
        Context.System.EventStream.Publish(job);
    }

    /// <summary>Why this worker cannot hold the job, or null: worked out from its sizes before anything is allocated.</summary>
    private string? Unfit(StartJob job)
    {
        MemoryEstimate need;
        try
        {
            need = ShardComputer.Memory(job, _threads);
        }
        catch (InputException e)
        {
            return e.Message;
        }
        if (!need.FitsInArrays)
            return string.Create(CultureInfo.InvariantCulture,
                $"{need.Longest.What} would hold {MemoryEstimate.Values(need.Longest.Values)}, more than one array can hold ({Array.MaxLength:N0})");
        if (need.Bytes > _memoryBytes)
            return $"it needs about {MemoryEstimate.Size(need.Bytes)} on a worker ({need.Describe()}), this machine has {MemoryEstimate.Size(_memoryBytes)}";
        return null;
    }

    /// <summary>The model is complete: the dataset and weights held for it are of no more use.</summary>
    private void Finish(JobFinished finished)
    {
        (_replica, _computer, _refusing) = (null, null, false);
        Context.System.EventStream.Publish(finished);
    }

    private void ReceiveData(DataChunk chunk)
    {
        bool wasComplete = _replica!.HasAllData;
        if (Accept(chunk.JobId, -1, _replica.Add(chunk)) && !wasComplete && _replica.HasAllData)
            Sender.Tell(new DataReceived(chunk.JobId));
    }

    /// <summary>True when <paramref name="refusal"/> is null; else refuses the message and returns false.</summary>
    private bool Accept(Guid jobId, long roundId, string? refusal)
    {
        if (refusal is null) return true;
        Refuse(jobId, roundId, refusal);
        return false;
    }

    /// <summary>
    /// Says once why a message was refused, to the log and to the coordinator, which sends the job again: after
    /// one bad chunk the replica cannot be trusted, and answering each of the chunks that follow would repeat
    /// the same news hundreds of times.
    /// </summary>
    private void Refuse(Guid jobId, long roundId, string reason)
    {
        _refusing = true;
        _log.Info("refused a message of job {0}: {1}; waiting for the job to be sent again", jobId, reason);
        var refused = new MessageRefused(jobId, roundId, reason);
        Sender.Tell(refused);
        Context.System.EventStream.Publish(refused);
    }

    private void ComputeGradients(ComputeGradients request)
    {
        var watch = Stopwatch.StartNew();
        var partials = _computer!.Gradients(_replica!, request);
        SlowDown(request.SampleIds.Length, ++_trainingShards);
        double computeMs = watch.Elapsed.TotalMilliseconds;
        // The test hook: every chunk of this reply lands past the end of the parameters.
        int misplace = _faults.GradientOffsetRound == request.RoundId && !_faultCommitted ? _computer.ParameterCount : 0;
        _faultCommitted |= misplace > 0;
        foreach (var (node, gradient, _) in partials)
            foreach (var (offset, values) in TensorChunks.Split(gradient))
                Sender.Tell(new GradientChunk(request.JobId, request.RoundId, node.Level, node.Index, offset + misplace, values));
        var sums = partials.Select(p => new PartialSum(p.Node.Level, p.Node.Index, p.Loss)).ToArray();
        Sender.Tell(new GradientsComputed(request.JobId, request.RoundId, sums, computeMs));
    }

    private void ComputeValidationLoss(ComputeValidationLoss request)
    {
        var watch = Stopwatch.StartNew();
        var sums = _computer!.ValidationLoss(_replica!, request);
        SlowDown((request.EndGroup - request.FirstGroup) * _replica!.Job.Training.GroupSize, trainingShard: 0);
        Sender.Tell(new ValidationLossComputed(request.JobId, request.RoundId, sums, watch.Elapsed.TotalMilliseconds));
    }

    /// <summary>The test hook's delay, if any: this thread is the worker's own, so waiting on it is what a slow machine looks like.</summary>
    private void SlowDown(int samples, int trainingShard)
    {
        var extra = _slowdown.Extra(samples, trainingShard);
        if (extra > TimeSpan.Zero) Thread.Sleep(extra);
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
}
