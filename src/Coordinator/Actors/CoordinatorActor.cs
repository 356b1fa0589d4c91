using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.DataPlane;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// Runs one training job over whatever workers are there: waits for enough of them, ships the dataset to each,
/// then for every minibatch broadcasts the weights, gives each worker a contiguous run of gradient groups, receives
/// the root of the reduction tree the workers finished among themselves (tensors on the data plane, replies and
/// loss sums through Akka), clips, and steps the optimizer; at each epoch's end it
/// shards the validation set the same way and reports the epoch's metrics to the client. It checkpoints its
/// state as its settings say, and on <see cref="StopTraining"/> drops the round in flight and checkpoints.
/// States: WaitingForWorkers → DistributingData → Training → Done.
/// The run's position is one value, <see cref="TrainingState"/>, replaced at every step; the fields besides it
/// are the connections to workers (<see cref="WorkerRoster"/>), the round in flight and clocks.
/// </summary>
public sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    private readonly TrainingJob _job;
    private readonly IActorRef _client;
    private readonly CoordinatorSettings _settings;
    private readonly Guid _jobId = Guid.NewGuid();
    private readonly Guid _token = Guid.NewGuid();
    private readonly DataPlaneNode _plane = DataPlaneNode.Get(Context.System);
    private readonly RootInbox _inbox;
    private readonly Optimizer _optimizer;
    private readonly ParameterLayout _layout;
    private readonly WorkerRoster _workers;
    private readonly List<RoundTiming> _timings = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly double _secondsBefore;

    private TrainingState _state;
    private EpochPlan? _plan;
    private Round? _round;
    private long _nextRoundId;
    private Stopwatch? _trainingClock;

    private sealed record WorkersLostDeadline
    {
        public static readonly WorkersLostDeadline Instance = new();
    }

    private sealed record RemindWaiting
    {
        public static readonly RemindWaiting Instance = new();
    }

    public CoordinatorActor(TrainingJob job, TrainingState start, IActorRef client, CoordinatorSettings settings)
    {
        _job = job;
        _state = start;
        _secondsBefore = start.TrainingSeconds;
        _client = client;
        _settings = settings with { MinWorkers = System.Math.Max(1, settings.MinWorkers) };
        _optimizer = Optimizer.Create(job.Training.OptimizerOrDefault);
        _layout = new Network(job.Model).Layout;
        var shape = new DataShape(job.Train.Samples, job.Validation?.Samples ?? 0, job.Train.Timesteps, job.Train.InputSize, job.Train.TargetsPerSample);
        _inbox = new RootInbox(job.InitialWeights.Length, Self);
        var endpoint = _plane.Register(_token, _inbox);
        _workers = new WorkerRoster(WorkerJob.Of(job.Model, job.Training), shape, job, _jobId, _token, _plane, endpoint);
        WaitingForWorkers();
    }

    /// <summary>A coordinator of <paramref name="job"/> starting from <paramref name="start"/> (a fresh state or a checkpoint's).</summary>
    public static Props Props(TrainingJob job, TrainingState start, IActorRef client, CoordinatorSettings settings)
        => Akka.Actor.Props.Create(() => new CoordinatorActor(job, start, client, settings));

    /// <summary>A coordinator of <paramref name="job"/> from its first step.</summary>
    public static Props Props(TrainingJob job, IActorRef client, CoordinatorSettings settings)
        => Props(job, TrainingState.Initial(job), client, settings);

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        // A resumed run whose checkpoint is its end has nothing left to train and needs no worker.
        if (_state.IsFinished(_job.Training.Epochs))
        {
            Finish();
            return;
        }
        ReportWaiting();
        Timers.StartPeriodicTimer(nameof(RemindWaiting), RemindWaiting.Instance, _settings.WaitingReminder);
    }

    protected override void PostStop() => _plane.Unregister(_token, _inbox);

    private void WaitingForWorkers()
    {
        Receive<WorkerJoined>(joined =>
        {
            if (!AddWorker(joined.Worker)) return;
            if (_workers.Count < _settings.MinWorkers)
            {
                ReportWaiting();
                return;
            }
            Timers.Cancel(nameof(RemindWaiting));
            foreach (var worker in _workers.All) _workers.SendJob(worker);
            Become(DistributingData);
        });
        Receive<Terminated>(terminated =>
        {
            if (RemoveWorker(terminated.ActorRef)) ReportWaiting();
        });
        Receive<RemindWaiting>(_ => ReportWaiting());
        Receive<StopTraining>(_ => Stop());
    }

    private void DistributingData()
    {
        Receive<WorkerJoined>(joined => { if (AddWorker(joined.Worker)) _workers.SendJob(joined.Worker); });
        Receive<Terminated>(terminated => RemoveStartedWorker(terminated.ActorRef));
        Receive<WorkersLostDeadline>(_ => FailIfNoWorkers());
        Receive<WorkerReady>(ready => ready.JobId == _jobId, ready => _workers.SendData(Sender, ready.Endpoint));
        Receive<DataReceived>(IsThisJob, _ =>
        {
            if (!_workers.MarkHasData(Sender) || _workers.Ready.Count() < _settings.MinWorkers) return;
            _trainingClock = Stopwatch.StartNew();
            Become(Training);
            NextRound();
        });
        Receive<StopTraining>(_ => Stop());
    }

    private void Training()
    {
        Receive<WorkerJoined>(joined => { if (AddWorker(joined.Worker)) _workers.SendJob(joined.Worker); });
        Receive<Terminated>(terminated =>
        {
            var worker = terminated.ActorRef;
            bool involved = _round?.Involves(worker) == true;
            var request = _round?.Release(worker);
            RemoveStartedWorker(worker);
            if (!involved) return;
            if (!_round!.IsValidation) Redo($"worker {worker.Path} left during it");
            else if (request is not null)
            {
                _log.Warning("worker {0} left during round {1}; its shard goes to another worker", worker.Path, _round.Id);
                _round.Defer(request);
                DispatchDeferred();
            }
        });
        Receive<WorkerReady>(ready => ready.JobId == _jobId, ready => _workers.SendData(Sender, ready.Endpoint));
        Receive<DataReceived>(IsThisJob, _ => { if (_workers.MarkHasData(Sender)) DispatchDeferred(); });
        Receive<WorkersLostDeadline>(_ => FailIfNoWorkers());
        Receive<GradientsComputed>(done => IsThisRound(done.JobId, done.RoundId) && !_round!.IsValidation, done =>
        {
            if (_round!.Complete(Sender, done.Partials, done.ComputeMs) && _round.IsComplete) FinishTrainingRound(_round);
        });
        Receive<RootArrived>(arrived => _round is { IsValidation: false } && _round.Id == arrived.RoundId, _ =>
        {
            _round!.RootArrived();
            if (_round.IsComplete) FinishTrainingRound(_round);
        });
        Receive<SenderRefused>(refused => Refused(refused.SenderId, "the coordinator"));
        Receive<FrameRefused>(refused => refused.JobId == _jobId, refused => Refused(refused.SenderId, Sender.Path.ToString()));
        Receive<ValidationLossComputed>(done => IsThisRound(done.JobId, done.RoundId) && _round!.IsValidation, done =>
        {
            if (_round!.Complete(Sender, done.Partials, done.ComputeMs) && _round.IsComplete) FinishValidationRound(_round);
        });
        Receive<ShardFailed>(failed => IsThisRound(failed.JobId, failed.RoundId), Fail);
        Receive<StopTraining>(_ => Stop());
        Receive<IProtocolMessage>(message => _log.Debug("ignored {0}: not of this job's current round", message.GetType().Name));
    }

    private void Done()
    {
        Receive<object>(_ => { });
    }

    /// <summary>Reports a failure to the client instead of restarting, which would silently start the job over.</summary>
    protected override bool AroundReceive(Receive receive, object message)
    {
        try
        {
            return base.AroundReceive(receive, message);
        }
        catch (Exception e)
        {
            _client.Tell(new TrainingFailed(e, CheckpointAfterFailure()));
            End();
            return true;
        }
    }

    private void Fail(ShardFailed failed)
        => throw new InvalidOperationException($"worker {Sender.Path} could not compute its shard of round {failed.RoundId}: {failed.Error}");

    private void NextRound()
    {
        if (_state.IsFinished(_job.Training.Epochs))
        {
            Finish();
            return;
        }
        _plan ??= new EpochPlan(_job.Train.Samples, _job.Training.BatchSize, _job.Training.Shuffle, _job.Training.Seed, _state.Epoch);
        if (_state.Minibatch < _plan.MinibatchCount) StartTrainingRound(_plan.Minibatch(_state.Minibatch));
        else if (_job.Validation is { Samples: > 0 }) StartValidationRound();
        else FinishEpoch(_state, null);
    }

    /// <summary>
    /// Gives each ready worker (but <paramref name="excluded"/>, while others are ready) a contiguous shard of the
    /// minibatch's groups, with every shard's data-plane endpoint, so the workers can route their partial sums
    /// along the tree; the root alone comes back here.
    /// </summary>
    private void StartTrainingRound(ReadOnlySpan<int> minibatch, IActorRef? excluded = null)
    {
        int groupSize = _job.Training.GroupSize;
        int groupCount = EpochPlan.GroupCount(minibatch.Length, groupSize);
        var workers = _workers.Ready.Where(w => !w.Equals(excluded)).ToList();
        if (workers.Count == 0) workers = _workers.Ready.ToList();
        if (workers.Count == 0)
        {
            _round = null;
            return;
        }
        var round = Round.Training(_nextRoundId++, groupCount, _inbox.Gradient);
        var shards = ShardPlanner.Plan(groupCount, workers.Count);
        int[] bounds = [.. shards.Select(s => s.First), groupCount];
        string[] holders = [.. workers.Take(shards.Count).Select(_workers.EndpointOf)];
        _inbox.Expect(round.Id, groupCount);
        _round = round;
        for (int shard = 0; shard < shards.Count; shard++)
        {
            var (first, end) = shards[shard];
            var ids = minibatch[(first * groupSize)..System.Math.Min(end * groupSize, minibatch.Length)].ToArray();
            var request = new ComputeGradients(_jobId, round.Id, _state.Epoch, _state.Step, minibatch.Length, groupCount, shard, bounds, holders, ids);
            _workers.SendWeights(workers[shard], _state.Step, _state.Weights);
            round.Assign(workers[shard], request);
            workers[shard].Tell(request);
        }
    }

    /// <summary>
    /// Starts the training round in flight again, under a new id, on the workers ready now: a round whose tensors
    /// pass from worker to worker cannot hand one shard to another worker when a link of the chain is gone. The
    /// gradient does not depend on the split, so the bits stay the same; the round's time is what it costs.
    /// </summary>
    private void Redo(string why, IActorRef? excluded = null)
    {
        _log.Warning("round {0} is redone: {1}", _round!.Id, why);
        StartTrainingRound(_plan!.Minibatch(_state.Minibatch), excluded);
    }

    /// <summary>A data-plane frame that did not fit: its sender loses its shard (the round is redone without it), the job goes on.</summary>
    private void Refused(int senderId, string where)
    {
        var sender = _workers.WithId(senderId);
        if (_round is null || _round.IsValidation) return;
        Redo($"{where} refused a frame from {sender?.Path.ToString() ?? $"sender {senderId}"}", sender);
    }

    private void StartValidationRound()
    {
        int groupCount = EpochPlan.GroupCount(_job.Validation!.Samples, _job.Training.GroupSize);
        var round = Round.Validation(_nextRoundId++, groupCount);
        foreach (var (first, end) in ShardPlanner.Plan(groupCount, System.Math.Max(1, _workers.Ready.Count())))
            round.Defer(new ComputeValidationLoss(_jobId, round.Id, _state.Step, groupCount, first, end));
        Dispatch(round);
    }

    private void Dispatch(Round round)
    {
        _round = round;
        DispatchDeferred();
    }

    /// <summary>
    /// Gives each waiting request of the round to a ready worker that holds none, sending it the weights first; a
    /// training round that found no worker ready starts once one is.
    /// </summary>
    private void DispatchDeferred()
    {
        if (_round is null && _state.Minibatch < (_plan?.MinibatchCount ?? 0) && _workers.HasReady)
            StartTrainingRound(_plan!.Minibatch(_state.Minibatch));
        if (_round is null) return;
        foreach (var worker in _workers.Ready.ToList())
        {
            if (!_round.HasUnassigned) return;
            if (_round.Holds(worker)) continue;
            _workers.SendWeights(worker, _state.Step, _state.Weights);
            var request = _round.TakeUnassigned();
            _round.Assign(worker, request);
            worker.Tell(request);
        }
    }

    private void FinishTrainingRound(Round round)
    {
        _round = null;
        var (gradient, loss) = round.Root;
        if (_job.Training.ClipNorm > 0) GradientClipping.ClipGlobalNorm(gradient, _job.Training.ClipNorm);
        var (weights, optimizer) = _optimizer.Step(_state.Weights, _state.Optimizer, gradient);
        var timing = new RoundTiming(round.ElapsedMs, round.SlowestComputeMs);
        _timings.Add(timing);
        int minibatchSize = _plan!.Minibatch(_state.Minibatch).Length;
        _state = _state.Stepped(weights, optimizer, loss, timing, Names(round.Contributors), TrainingSeconds());
        double meanLoss = loss / ((double)minibatchSize * _job.Train.TargetsPerSample);
        _client.Tell(new StepCompleted(new StepProgress(_state.Epoch + 1, _state.Minibatch, _plan.MinibatchCount, meanLoss, round.Contributors.Count),
            new RoundReport(timing, round.Shares)));
        if (_settings.Checkpoints is { } policy && policy.IsDueAfter(_state.Step)) Checkpoint();
        NextRound();
    }

    private void FinishValidationRound(Round round)
    {
        _round = null;
        var state = _state with { Tally = _state.Tally.WithWorkers(Names(round.Contributors)) };
        FinishEpoch(state, round.Root.Loss / ((double)_job.Validation!.Samples * _job.Validation.TargetsPerSample));
    }

    private void FinishEpoch(TrainingState state, double? validationLoss)
    {
        var (train, tally) = (_job.Train, state.Tally);
        var metrics = new EpochMetrics(
            Epoch: state.Epoch + 1,
            Loss: tally.LossSum / ((double)train.Samples * train.TargetsPerSample),
            ValLoss: validationLoss,
            SeqPerSec: train.Samples / (tally.TrainingMs / 1000.0),
            Workers: tally.Workers.Count,
            ElapsedSec: TrainingSeconds(),
            MsPerStep: tally.Rounds == 0 ? 0 : tally.TrainingMs / tally.Rounds,
            SyncMsPerRound: tally.Rounds == 0 ? 0 : tally.SyncMs / tally.Rounds);
        _state = state.EpochEnded(metrics);
        _plan = null;
        _client.Tell(new EpochCompleted(metrics));
        if (_settings.Checkpoints is not null) Checkpoint();
        NextRound();
    }

    private void Finish()
    {
        foreach (var worker in _workers.All) worker.Tell(new JobFinished(_jobId));
        _client.Tell(new TrainingFinished(_state, _timings.ToList()));
        End();
    }

    /// <summary>SIGTERM or Ctrl+C: whatever the round in flight had done is dropped; the last step's state is kept.</summary>
    private void Stop()
    {
        _client.Tell(new TrainingStopped(_state, _state.Step == 0 || _settings.Checkpoints is null ? null : Checkpoint()));
        End();
    }

    private void End()
    {
        Become(Done);
        Context.Stop(Self);
    }

    private string Checkpoint()
    {
        var path = _settings.Checkpoints!.Folder.Write(_layout, _state, _settings.Checkpoints.Fingerprint);
        _client.Tell(new CheckpointSaved(path, _state.Step));
        return path;
    }

    /// <summary>
    /// The state is whole between messages whatever failed, so it is worth a checkpoint; if that write fails too
    /// (a full disk, say), the last one written is the one to resume from.
    /// </summary>
    private string? CheckpointAfterFailure()
    {
        if (_settings.Checkpoints is null) return null;
        try
        {
            return _state.Step == 0 ? _settings.Checkpoints.Folder.Latest : Checkpoint();
        }
        catch (Exception e)
        {
            _log.Error(e, "could not write a checkpoint after the failure");
            return _settings.Checkpoints.Folder.Latest;
        }
    }

    private double TrainingSeconds() => _secondsBefore + (_trainingClock?.Elapsed.TotalSeconds ?? 0);

    private bool AddWorker(IActorRef worker)
    {
        if (!_workers.Add(worker)) return false;
        Context.Watch(worker);
        _client.Tell(new WorkerArrived(worker.Path.ToString(), worker.Path.Address.ToString(), _workers.Count));
        return true;
    }

    private bool RemoveWorker(IActorRef worker)
    {
        if (!_workers.Remove(worker)) return false;
        _client.Tell(new WorkerLeft(worker.Path.ToString(), worker.Path.Address.ToString(), _workers.Count));
        return true;
    }

    /// <summary>Once the job started, losing the last worker starts the deadline for a new one to be ready.</summary>
    private void RemoveStartedWorker(IActorRef worker)
    {
        RemoveWorker(worker);
        if (_workers.HasReady) return;
        _client.Tell(new WaitingForWorkers(_workers.Count, 1));
        Timers.StartSingleTimer(nameof(WorkersLostDeadline), WorkersLostDeadline.Instance, _settings.WorkersLostDeadline);
    }

    private void FailIfNoWorkers()
    {
        if (!_workers.HasReady)
            throw new TimeoutException($"all workers lost: none ready for {_settings.WorkersLostDeadline.TotalSeconds:0} s, at epoch {_state.Epoch + 1}, step {_state.Step}");
    }

    private void ReportWaiting() => _client.Tell(new WaitingForWorkers(_workers.Count, _settings.MinWorkers));

    private static IEnumerable<string> Names(IEnumerable<IActorRef> workers) => workers.Select(w => w.Path.ToString());

    private bool IsThisJob(DataReceived received) => received.JobId == _jobId;

    private bool IsThisRound(Guid jobId, long roundId) => jobId == _jobId && _round?.Id == roundId;
}
