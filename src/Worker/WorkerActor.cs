using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Rnn.Math.Training;
using RnnCluster.Worker.Compute;
using RnnCluster.Worker.DataPlane;
using RnnCluster.Worker.Hosting;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Worker;

/// <summary>
/// Holds a replica of one job (its dataset and the latest weights) and computes whatever shard it is asked for.
/// It makes no decision: which samples, which weights and what to do with the gradients are the coordinator's.
/// Requests come through Akka, tensors through the data plane (<see cref="DataPlaneNode"/>); a request waits until
/// the weights it names are complete. A shard's partial sums go along the reduction tree's routes: to the worker
/// that sums their parent, or as the root to the coordinator (<see cref="TreeRoutes"/>), while the sums of other
/// shards routed here are added in as they arrive (<see cref="TreeAssembly"/>).
/// A new <see cref="StartJob"/> replaces the job; messages of any other job are dropped. The start and the end
/// (<see cref="JobFinished"/>) of its job go on the event stream too, for whoever reports on the worker.
/// </summary>
public sealed class WorkerActor : ReceiveActor
{
    /// <summary>The path a coordinator resolves on every member of role `worker`.</summary>
    public const string Name = "worker";

    private readonly int _threads;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly DataPlaneNode _plane = DataPlaneNode.Get(Context.System);
    private JobReplica? _replica;
    private ShardComputer? _computer;
    private WorkerInbox? _inbox;
    private IActorRef _coordinator = ActorRefs.Nobody;
    private IProtocolMessage? _pending;

    public WorkerActor(int threads)
    {
        _threads = threads;
        Receive<StartJob>(Start);
        Receive<DataArrived>(_ => _replica is not null, _ => DataComplete());
        Receive<WeightsArrived>(_ => _replica is not null, WeightsComplete);
        Receive<PeerRefused>(_ => _replica is not null, refused => _coordinator.Tell(new FrameRefused(_replica!.Job.JobId, refused.SenderId, refused.Reason)));
        Receive<ComputeGradients>(request => Current(request) is not null, Accept);
        Receive<ComputeValidationLoss>(request => Current(request) is not null, Accept);
        Receive<JobFinished>(finished => Current(finished) is not null, Finish);
        Receive<IProtocolMessage>(message => _log.Debug("dropped {0} of job {1}, not the current job", message.GetType().Name, message.JobId));
    }

    /// <param name="threads">Engines computing a shard side by side (`--threads`).</param>
    public static Props Props(int threads)
        => Akka.Actor.Props.Create(() => new WorkerActor(threads)).WithDispatcher(ActorSystemSettings.WorkerDispatcher);

    protected override void PostStop() => EndJob();

    private JobReplica? Current(IProtocolMessage message) => _replica?.Job.JobId == message.JobId ? _replica : null;

    private void Start(StartJob job)
    {
        EndJob();
        _coordinator = Sender;
        _computer = new ShardComputer(job, _threads);
        _replica = new JobReplica(job, _computer.ParameterCount);
        _inbox = new WorkerInbox(_replica, Self);
        Sender.Tell(new WorkerReady(job.JobId, _plane.Register(job.Token, _inbox)));
        Context.System.EventStream.Publish(job);
    }

    /// <summary>The model is complete: the dataset and weights held for it are of no more use.</summary>
    private void Finish(JobFinished finished)
    {
        EndJob();
        Context.System.EventStream.Publish(finished);
    }

    private void EndJob()
    {
        if (_replica is null) return;
        _plane.Unregister(_replica.Job.Token, _inbox!);
        _inbox!.Close();
        (_replica, _computer, _inbox, _pending) = (null, null, null, null);
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
    /// A request waits for its weights (they come on the data plane, beside Akka's order); a newer request replaces
    /// a waiting one. A training round's assembly starts at once, so sums other workers route here can land while
    /// this one still waits or computes.
    /// </summary>
    private void Accept(IProtocolMessage request)
    {
        _coordinator = Sender;
        if (request is ComputeGradients gradients)
        {
            var (plane, job) = (_plane, _replica!.Job);
            _inbox!.BeginRound(gradients, (node, segment, buffer, assembly, transfer) => Forward(plane, job, gradients, node, segment, buffer, assembly, transfer));
        }
        _pending = request;
        ComputePending();
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
        _pending = null;
        Reporting(request, () =>
        {
            if (request is ComputeGradients g) ComputeGradients(g);
            else ComputeValidationLoss((ComputeValidationLoss)request);
        });
    }

    private void ComputeGradients(ComputeGradients request)
    {
        var watch = Stopwatch.StartNew();
        var partials = _computer!.Gradients(_replica!, request);
        double computeMs = watch.Elapsed.TotalMilliseconds;
        var assembly = _inbox!.Current(request.RoundId);
        assembly?.AddLocal(partials.Select(p => (p.Node, p.Gradient)));
        var sums = partials.Select(p => new PartialSum(p.Node.Level, p.Node.Index, p.Loss)).ToArray();
        _coordinator.Tell(new GradientsComputed(request.JobId, request.RoundId, sums, computeMs));
    }

    /// <summary>
    /// A summed segment of a node this shard sends on: to the shard that sums its parent, or to the coordinator.
    /// Runs on whichever thread completed the segment (the actor's, or a data-plane reader's), so it reads no actor state.
    /// </summary>
    private static void Forward(DataPlaneNode plane, StartJob job, ComputeGradients request, TreeNode node, int segment, float[] buffer,
        TreeAssembly assembly, TreeRoutes.Transfer transfer)
    {
        var endpoint = transfer.ToShard == TreeRoutes.Coordinator ? job.CoordinatorEndpoint : request.Holders[transfer.ToShard];
        var (offset, count) = Segments.Range(segment, buffer.Length);
        plane.SenderTo(endpoint, job.Token, job.WorkerId)
            .Send(Frame.Partial(assembly.Round, node.Level, node.Index, offset, count), buffer, offset, assembly.Guard);
    }

    private void ComputeValidationLoss(ComputeValidationLoss request)
    {
        var watch = Stopwatch.StartNew();
        var sums = _computer!.ValidationLoss(_replica!, request);
        _coordinator.Tell(new ValidationLossComputed(request.JobId, request.RoundId, sums, watch.Elapsed.TotalMilliseconds));
    }

    /// <summary>Turns a failed computation into a reply: a restarted worker would lose its replica and leave the round hanging.</summary>
    private void Reporting(IProtocolMessage request, Action compute)
    {
        long roundId = request is ComputeGradients g ? g.RoundId : ((ComputeValidationLoss)request).RoundId;
        try
        {
            compute();
        }
        catch (Exception e)
        {
            _log.Error(e, "round {0} failed", roundId);
            _coordinator.Tell(new ShardFailed(request.JobId, roundId, e.Message));
        }
    }
}
