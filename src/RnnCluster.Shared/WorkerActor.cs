using System.Diagnostics;
using System.Globalization;
using Akka.Actor;
using Akka.Event;
using Rnn.Math;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.DataPlane;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Shared;

/// <summary>
/// Holds a replica of one job (its dataset and the latest weights) and computes whatever shard it is asked for.
/// It makes no decision: which samples, which weights and what to do with the gradients are the coordinator's.
/// Requests come through Akka, tensors through the data plane (<see cref="DataPlaneNode"/>); a request waits until
/// the weights it names are complete, and on a node without the job's data file until its samples have come
/// (<see cref="SampleCache"/>, fetched as the request arrives, or read ahead with the request before). A shard's partial sums go along the reduction tree's routes: to the worker
/// that sums their parent, or as the root to the coordinator (<see cref="TreeRoutes"/>), while the sums of other
/// shards routed here are added in as they arrive (<see cref="TreeAssembly"/>).
/// A new <see cref="StartJob"/> replaces the job; messages of any other job are dropped. A job it cannot hold is
/// refused before anything is allocated (<see cref="JobRefused"/>). A request of its job that does not fit
/// (<see cref="JobReplica"/> says why) or a message that cannot be read is refused once (<see cref="MessageRefused"/>):
/// it then drops the job's messages until the coordinator sends the job again. A data-plane frame that does not fit
/// is refused by the data plane, which cuts its connection; the coordinator hears of it (<see cref="FrameRefused"/>).
/// The start, refusal and end (<see cref="JobFinished"/>) of its job go on the event stream too, for whoever
/// reports on the worker.
/// </summary>
public sealed class WorkerActor : ReceiveActor
{
    /// <summary>The path a coordinator resolves on every member of role `worker`.</summary>
    public const string Name = "worker";

    private readonly int _threads;
    private readonly double _memoryBytes;
    private readonly TestFaults _faults;
    private readonly Slowdown _slowdown;
    private readonly string? _dataDirectory;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DataPlaneNode _plane = DataPlaneNode.Get(Context.System);
    private JobReplica? _replica;
    private ShardComputer? _computer;
    private WorkerInbox? _inbox;
    private IActorRef _coordinator = ActorRefs.Nobody;
    private IRoundMessage? _pending;
    private bool _refusing;
    private bool _faultCommitted;
    private int _trainingShards;
    private long? _samplesAwaitedSince;

    public WorkerActor(int threads, TestFaults faults, double memoryBytes, Slowdown slowdown, string? dataDirectory)
    {
        (_threads, _faults, _memoryBytes, _slowdown, _dataDirectory) = (threads, faults, memoryBytes, slowdown, dataDirectory);
        Receive<StartJob>(Start);
        Receive<JobFinished>(finished => Current(finished) is not null, Finish);
        Receive<DataArrived>(_ => _replica is not null, _ => DataComplete());
        Receive<WeightsArrived>(_ => _replica is not null, WeightsComplete);
        Receive<SamplesArrived>(_ => _replica is not null, _ => ComputePending());
        Receive<PeerRefused>(_ => _replica is not null, RefusedFrame);
        Receive<IProtocolMessage>(_ => _refusing, message => _log.Debug("dropped {0}: waiting for the job to be sent again", message.GetType().Name));
        Receive<ComputeGradients>(request => Current(request) is not null, request => Accept(request, _replica!.Check(request)));
        Receive<ComputeValidationLoss>(request => Current(request) is not null, request => Accept(request, _replica!.Check(request)));
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
    /// <param name="dataDirectory">
    /// Where this node keeps its copies of data files (`--data-dir`): a job's file not found at the coordinator's path
    /// is looked for here by its name; none by default.
    /// </param>
    public static Props Props(int threads, TestFaults? faults = null, double? memoryBytes = null, Slowdown? slowdown = null, string? dataDirectory = null)
        => Akka.Actor.Props.Create(() => new WorkerActor(threads, faults ?? TestFaults.None, memoryBytes ?? MemoryEstimate.MachineBytes, slowdown ?? Slowdown.None, dataDirectory))
            .WithDispatcher(ActorSystemSettings.WorkerDispatcher);

    protected override void PostStop() => EndJob();

    private JobReplica? Current(IProtocolMessage message) => _replica?.Job.JobId == message.JobId ? _replica : null;

    private void Start(StartJob job)
    {
        EndJob();
        _coordinator = Sender;
        // The job's data file is read from this node's copy: at the coordinator's path, else by its name in the data
        // directory. A node with neither fetches the samples of each shard it computes (SampleCache); a job on any
        // other data (arrays of the C# API) is sent whole.
        bool needsData = false;
        if (job.Shape.Mapped is { } mapped)
        {
            if (LocalCopy(mapped.Path) is { } copy)
            {
                job = job with { Shape = job.Shape with { Mapped = mapped with { Path = copy } } };
            }
            else
            {
                _log.Info("job {0}: no copy of {1} on this node; it fetches each shard's samples from the coordinator", job.JobId, mapped.Path);
                job = job with { Shape = job.Shape with { Mapped = null, Fetched = true } };
                needsData = true;
            }
        }
        var (network, unfit) = Build(job);
        if (unfit is { } reason)
        {
            Refuse(job, reason);
            return;
        }
        var (coordinator, self) = (Sender, Self);
        var replica = new JobReplica(job, network!.ParameterCount, network.StateWidth)
        {
            Samples = needsData ? new SampleCache(job, fetch => coordinator.Tell(fetch, self), () => self.Tell(SamplesArrived.Instance)) : null,
        };
        if (replica.MapData() is { } missing)
        {
            Refuse(job, missing);
            return;
        }
        _computer = new ShardComputer(job, network, _threads);
        _replica = replica;
        _inbox = new WorkerInbox(_replica, Self);
        Sender.Tell(new WorkerReady(job.JobId, _plane.Register(job.Token, _inbox)) { NeedsData = needsData });
        Context.System.EventStream.Publish(new JobAccepted(job, network));
        // A mapped file without lengths leaves nothing to come on the data plane: the data is all here.
        if (Enum.GetValues<DataPart>().All(part => job.Shape.Length(part) == 0)) DataComplete();
    }

    /// <summary>This node's copy of the coordinator's data file <paramref name="path"/>, or null where it has none.</summary>
    private string? LocalCopy(string path)
    {
        if (File.Exists(path)) return path;
        if (_dataDirectory is null) return null;
        var named = Path.Combine(_dataDirectory, Path.GetFileName(path));
        return File.Exists(named) ? Path.GetFullPath(named) : null;
    }

    /// <summary>Says to the coordinator, the log and the event stream why this worker takes no part in <paramref name="job"/>.</summary>
    private void Refuse(StartJob job, string reason)
    {
        _log.Info("refused job {0}: {1}", job.JobId, reason);
        var refused = new JobRefused(job.JobId, reason);
        Sender.Tell(refused);
        Context.System.EventStream.Publish(refused);
    }

    /// <summary>
    /// The job's network, built once from its model, or why this worker cannot hold the job: worked out from its
    /// sizes before anything is allocated.
    /// </summary>
    private (Network? Network, string? Unfit) Build(StartJob job)
    {
        Network network;
        MemoryEstimate need;
        try
        {
            network = new Network(job.Job.ParseModel());
            need = ShardComputer.Memory(network, job.Job, job.Shape, _threads);
        }
        catch (InputException e)
        {
            return (null, e.Message);
        }
        if (!need.FitsInArrays)
            return (null, string.Create(CultureInfo.InvariantCulture,
                $"{need.Longest.What} would hold {MemoryEstimate.Values(need.Longest.Values)}, more than one array can hold ({Array.MaxLength:N0})"));
        if (need.Bytes > _memoryBytes)
            return (null, $"it needs about {MemoryEstimate.Size(need.Bytes)} on a worker ({need.Describe()}), this machine has {MemoryEstimate.Size(_memoryBytes)}");
        return (network, null);
    }

    /// <summary>The model is complete: the dataset and weights held for it are of no more use.</summary>
    private void Finish(JobFinished finished)
    {
        if (_replica?.Samples is { } samples) Context.System.EventStream.Publish(new JobSamplesWaited(finished.JobId, samples.Waits));
        EndJob();
        Context.System.EventStream.Publish(finished);
    }

    private void EndJob()
    {
        _refusing = false;
        if (_replica is null) return;
        _plane.Unregister(_replica.Job.Token, _inbox!);
        _inbox!.Close();
        (_replica, _computer, _inbox, _pending, _samplesAwaitedSince) = (null, null, null, null, null);
    }

    private void DataComplete()
    {
        _replica!.DataComplete();
        _coordinator.Tell(new DataReceived(_replica.Job.JobId));
        ComputePending();
    }

    private void WeightsComplete(WeightsArrived arrived)
    {
        if (arrived.Version <= _replica!.WeightsVersion)
        {
            _inbox!.ReturnWeights(arrived.Weights);
            return;
        }
        _inbox!.ReturnWeights(_replica.SwapWeights(arrived.Version, arrived.Weights));
        ComputePending();
    }

    /// <summary>
    /// Takes a request that fits, or refuses it. A request waits for its weights (they come on the data plane,
    /// beside Akka's order) and for any samples it fetches; a newer request replaces a waiting one. A training round's assembly starts at once, so
    /// sums other workers route here can land while this one still waits or computes.
    /// </summary>
    private void Accept(IRoundMessage request, string? refusal)
    {
        _coordinator = Sender;
        if (refusal is not null)
        {
            Refuse(request.JobId, request.RoundId, refusal);
            return;
        }
        if (request is ComputeGradients gradients)
        {
            var (plane, job) = (_plane, _replica!.Job);
            // The test hook: every partial sum this shard sends on in that round lands past the end of the gradient, once.
            long misplace = _faults.GradientOffsetRound == gradients.RoundId && !_faultCommitted ? _replica.ParameterCount : 0;
            _faultCommitted |= misplace > 0;
            _inbox!.BeginRound(gradients, (node, segment, buffer, assembly, transfer) =>
                Forward(plane, job, gradients, node, segment, buffer, assembly, transfer, misplace));
        }
        _computer!.ReadAhead(_replica!, request);
        _pending = request;
        ComputePending();
    }

    /// <summary>
    /// Says once why a message was refused, to the log and to the coordinator, which sends the job again: the
    /// replica can no longer be trusted, and answering each message that follows would repeat the same news.
    /// </summary>
    private void Refuse(Guid jobId, long roundId, string reason)
    {
        _refusing = true;
        _log.Info("refused a message of job {0}: {1}; waiting for the job to be sent again", jobId, reason);
        var refused = new MessageRefused(jobId, roundId, reason);
        Sender.Tell(refused);
        Context.System.EventStream.Publish(refused);
    }

    /// <summary>
    /// The data plane refused a frame and cut its connection: the coordinator hears from whom. A frame of the
    /// coordinator's (the data or the weights) leaves this copy of the job untrusted, as a refused message does:
    /// it is said once, and the job's messages are dropped until the job is sent again.
    /// </summary>
    private void RefusedFrame(PeerRefused refused)
    {
        var jobId = _replica!.Job.JobId;
        _coordinator.Tell(new FrameRefused(jobId, refused.SenderId, refused.Reason));
        if (refused.SenderId != StartJob.CoordinatorId || _refusing) return;
        _refusing = true;
        _log.Info("refused a frame of job {0}: {1}; waiting for the job to be sent again", jobId, refused.Reason);
        Context.System.EventStream.Publish(new MessageRefused(jobId, -1, refused.Reason));
    }

    private void ComputePending()
    {
        var (replica, request) = (_replica!, _pending);
        long version = request switch
        {
            ComputeGradients g => g.WeightsVersion,
            ComputeValidationLoss v => v.WeightsVersion,
            _ => -2,
        };
        if (request is null || !replica.HasAllData || replica.WeightsVersion != version) return;
        // All but its samples are in: the time from here until they are is compute waiting for data.
        if (!_computer!.HasSamples(replica, request))
        {
            _samplesAwaitedSince ??= Stopwatch.GetTimestamp();
            return;
        }
        if (_samplesAwaitedSince is { } since) replica.Samples!.Waited(Stopwatch.GetElapsedTime(since));
        _samplesAwaitedSince = null;
        _pending = null;
        try
        {
            if (request is ComputeGradients g) ComputeGradients(g);
            else ComputeValidationLoss((ComputeValidationLoss)request);
        }
        catch (SamplesUnavailableException e)
        {
            // No answer: the coordinator's late-shard rule gives the shard to another worker.
            _log.Warning("round {0} given up: {1}", request.RoundId, e.Message);
        }
        catch (Exception e)
        {
            // A failed computation becomes a reply: a restarted worker would lose its replica and leave the round hanging.
            _log.Error(e, "round {0} failed", request.RoundId);
            _coordinator.Tell(new ShardFailed(request.JobId, request.RoundId, e.Message));
        }
    }

    private void ComputeGradients(ComputeGradients request)
    {
        var watch = Stopwatch.StartNew();
        var (partials, states) = _computer!.Gradients(_replica!, request);
        SlowDown(request.SampleIds.Length, ++_trainingShards);
        double computeMs = watch.Elapsed.TotalMilliseconds;
        var assembly = _inbox!.Current(request.RoundId);
        assembly?.AddLocal(partials.Select(p => (p.Node, p.Gradient)));
        var sums = partials.Select(p => new PartialSum(p.Node.Level, p.Node.Index, p.Sums)).ToArray();
        _coordinator.Tell(new GradientsComputed(request.JobId, request.RoundId, sums, computeMs) { States = states });
    }

    /// <summary>
    /// A summed segment of a node this shard sends on: to the shard that sums its parent, or to the coordinator,
    /// at its offset plus <paramref name="misplace"/> (the test hook's; zero in use).
    /// Runs on whichever thread completed the segment (the actor's, or a data-plane reader's), so it reads no actor state.
    /// </summary>
    private static void Forward(DataPlaneNode plane, StartJob job, ComputeGradients request, TreeNode node, int segment, float[] buffer,
        TreeAssembly assembly, TreeRoutes.Transfer transfer, long misplace)
    {
        var endpoint = transfer.ToShard == TreeRoutes.Coordinator ? job.CoordinatorEndpoint : request.Holders[transfer.ToShard];
        var (offset, count) = Segments.Range(segment, buffer.Length);
        plane.SenderTo(endpoint, job.Token, job.WorkerId)
            .Send(Frame.Partial(assembly.Round, node.Level, node.Index, offset + misplace, count), buffer, offset, assembly.Guard);
    }

    private void ComputeValidationLoss(ComputeValidationLoss request)
    {
        var watch = Stopwatch.StartNew();
        var sums = _computer!.ValidationLoss(_replica!, request);
        SlowDown((request.EndGroup - request.FirstGroup) * _replica!.Job.Job.GroupSize, trainingShard: 0);
        _coordinator.Tell(new ValidationLossComputed(request.JobId, request.RoundId, sums, watch.Elapsed.TotalMilliseconds));
    }

    /// <summary>The test hook's delay, if any: this thread is the worker's own, so waiting on it is what a slow machine looks like.</summary>
    private void SlowDown(int samples, int trainingShard)
    {
        var extra = _slowdown.Extra(samples, trainingShard);
        if (extra > TimeSpan.Zero) Thread.Sleep(extra);
    }
}
