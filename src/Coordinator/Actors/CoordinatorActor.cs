using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// Runs one training job over whatever workers are there: waits for enough of them, ships the dataset to each,
/// then for every minibatch broadcasts the weights, gives each worker a contiguous run of gradient groups,
/// finishes the reduction tree from their partial sums, clips, and steps the optimizer; at each epoch's end it
/// shards the validation set the same way and reports the epoch's metrics to the client. It checkpoints its
/// state as its settings say, and on <see cref="StopTraining"/> drops the round in flight and checkpoints.
/// States: WaitingForWorkers → DistributingData → Training → Done.
/// The run's position is one value, <see cref="TrainingState"/>, replaced at every step; the fields besides it
/// are the connections to workers (<see cref="WorkerRoster"/>), the round in flight and clocks.
/// A step whose loss, gradient or update is not finite is skipped, and after training.maxBadSteps in a row the
/// run fails as diverged. A worker's message that does not fit is refused, once, and its shard goes to
/// another worker; a worker that refuses what it was sent gets the job again; one that cannot hold the job is
/// given nothing of it.
/// </summary>
public sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    private readonly TrainingJob _job;
    private readonly IActorRef _client;
    private readonly CoordinatorSettings _settings;
    private readonly Guid _jobId = Guid.NewGuid();
    private readonly Optimizer _optimizer;
    private readonly ParameterLayout _layout;
    private readonly WorkerRoster _workers;
    private readonly List<RoundTiming> _timings = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly double _secondsBefore;

    private TrainingState _state;
    private readonly HashSet<(IActorRef Worker, long Round)> _refusalsNoted = new();
    private EpochPlan? _plan;
    private Round? _round;
    private long _nextRoundId;
    private Stopwatch? _trainingClock;
    private string? _jobRefusal;

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
        var description = new StartJob(_jobId, job.Model, job.Training, new DataShape(
            job.Train.Samples, job.Validation?.Samples ?? 0, job.Train.Timesteps, job.Train.InputSize, job.Train.TargetsPerSample));
        _workers = new WorkerRoster(description, job, settings.Faults);
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
        Receive<DataReceived>(IsThisJob, _ =>
        {
            if (!_workers.MarkHasData(Sender) || _workers.Ready.Count() < _settings.MinWorkers) return;
            _trainingClock = Stopwatch.StartNew();
            Become(Training);
            NextRound();
        });
        ReceiveRefusals();
        Receive<StopTraining>(_ => Stop());
        Receive<IProtocolMessage>(Misaddressed);
    }

    private void Training()
    {
        Receive<WorkerJoined>(joined => { if (AddWorker(joined.Worker)) _workers.SendJob(joined.Worker); });
        Receive<Terminated>(terminated =>
        {
            var request = _round?.Release(terminated.ActorRef);
            RemoveStartedWorker(terminated.ActorRef);
            if (request is null) return;
            _log.Warning("worker {0} left during round {1}; its shard goes to another worker", terminated.ActorRef.Path, _round!.Id);
            Reissue(request);
        });
        Receive<DataReceived>(IsThisJob, _ => { if (_workers.MarkHasData(Sender)) DispatchDeferred(); });
        Receive<WorkersLostDeadline>(_ => FailIfNoWorkers());
        Receive<IRoundMessage>(Discarded, _ => { });
        Receive<UndecodableMessage>(Discarded, _ => { });
        Receive<GradientChunk>(IsThisRound, chunk => Judge(chunk, _round!.AddChunk(Sender, chunk)));
        Receive<GradientsComputed>(IsThisRound, done => Close(done, done.Partials, done.ComputeMs, withGradients: true));
        Receive<ValidationLossComputed>(IsThisRound, done => Close(done, done.Partials, done.ComputeMs, withGradients: false));
        Receive<ShardFailed>(IsThisRound, Fail);
        ReceiveRefusals();
        Receive<StopTraining>(_ => Stop());
        Receive<IProtocolMessage>(Misaddressed);
    }

    /// <summary>What both working states do with refusals: a worker's of the job or of a message, and a message no one could read.</summary>
    private void ReceiveRefusals()
    {
        Receive<JobRefused>(IsThisJob, RefusedJob);
        Receive<MessageRefused>(refused => refused.JobId == _jobId || refused.JobId == Guid.Empty, RefusedByWorker);
        Receive<UndecodableMessage>(message => Refuse(Sender, message, $"a {message.Manifest} message", $"it could not be read: {message.Reason}"));
    }

    /// <summary>A message of a reply whose chunk was refused in this round (<see cref="Round.Discards"/>): dropped unseen.</summary>
    private bool Discarded(object message) => _round is { } round && message switch
    {
        GradientChunk or UndecodableMessage { Manifest: "GC" } => round.Discards(Sender, closing: false),
        GradientsComputed or ValidationLossComputed or UndecodableMessage { Manifest: "GD" or "VD" } => round.Discards(Sender, closing: true),
        _ => false,
    };

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

    /// <summary>A closing reply: counted, ignored (not the holder's), or refused; a counted one may finish the round.</summary>
    private void Close(IRoundMessage reply, PartialSum[] partials, double computeMs, bool withGradients)
    {
        var round = _round!;
        var (counted, refusal) = round.Complete(Sender, partials, computeMs, withGradients);
        Judge(reply, refusal);
        if (!counted) return;
        if (!round.IsComplete) DispatchDeferred();
        else if (round.IsValidation) FinishValidationRound(round);
        else FinishTrainingRound(round);
    }

    private void Judge(IRoundMessage message, string? refusal)
    {
        if (refusal is not null) Refuse(Sender, message, $"a {message.GetType().Name} of round {message.RoundId}", refusal);
    }

    /// <summary>
    /// A protocol message no state took: another job's, a round never started, or one of its kind this state
    /// does not expect, is refused; a reply to a round already finished is late news and dropped.
    /// </summary>
    private void Misaddressed(IProtocolMessage message)
    {
        string what = $"a {message.GetType().Name}";
        if (message.JobId != _jobId) Refuse(Sender, message, what, $"it names job {message.JobId}, this job is {_jobId}");
        else if (message is IRoundMessage { RoundId: var id } && id >= _nextRoundId) Refuse(Sender, message, what, $"it names round {id}, which was never started");
        else if (message is IRoundMessage { RoundId: var late } && late < (_round?.Id ?? _nextRoundId)) _log.Debug("dropped {0} of round {1}, which is over", what, late);
        else Refuse(Sender, message, what, "it is not expected now");
    }

    /// <summary>
    /// Refuses a worker's message, telling the client once per worker and round (a bad reply comes in many chunks),
    /// and gives the worker's shard to another worker: its reply can no longer be trusted whole.
    /// </summary>
    private void Refuse(IActorRef worker, object message, string what, string why)
    {
        var round = _round;
        var request = round?.Refuse(worker, chunk: message is GradientChunk or UndecodableMessage { Manifest: "GC" });
        if (!_refusalsNoted.Add((worker, round?.Id ?? -1))) return;
        var fate = request is null ? "it held no shard" : $"its shard of round {round!.Id} is re-issued";
        var line = $"refused {what} from worker {worker.Path}: {why}; {fate}";
        _log.Info(line);
        _client.Tell(new MessageRefusedNote(worker.Path.ToString(), line));
        if (request is not null) Reissue(request);
    }

    /// <summary>The worker refused something this coordinator sent: it gets the job again, and its shard is re-issued.</summary>
    private void RefusedByWorker(MessageRefused refused)
    {
        var request = _round?.Release(Sender);
        var fate = request is null ? "" : $"; its shard of round {_round!.Id} is re-issued";
        var line = $"worker {Sender.Path} refused {refused.Reason}; it gets the job again{fate}";
        _log.Info(line);
        _client.Tell(new MessageRefusedNote(Sender.Path.ToString(), line));
        _workers.SendJobAgain(Sender);
        if (request is not null) Reissue(request);
    }

    /// <summary>The worker cannot hold the job: it gets nothing of it; without any worker that could, the deadline runs.</summary>
    private void RefusedJob(JobRefused refused)
    {
        if (!_workers.MarkRefusedJob(Sender)) return;
        _jobRefusal = $"worker {Sender.Path} refused the job: {refused.Reason}";
        _log.Info(_jobRefusal);
        _client.Tell(new WorkerRefusedJob(Sender.Path.ToString(), refused.Reason));
        if (_round?.Release(Sender) is { } request) Reissue(request);
        if (_workers.HasReady || _workers.AnyMayServe) return;
        _client.Tell(new WaitingForWorkers(0, System.Math.Max(1, _settings.MinWorkers - _workers.Ready.Count())));
        Timers.StartSingleTimer(nameof(WorkersLostDeadline), WorkersLostDeadline.Instance, _settings.WorkersLostDeadline);
    }

    /// <summary>The one way a shard taken back from a worker (gone, refused, refusing) goes to another.</summary>
    private void Reissue(IRoundMessage request)
    {
        _round!.Defer(request);
        DispatchDeferred();
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

    private void StartTrainingRound(ReadOnlySpan<int> minibatch)
    {
        int groupSize = _job.Training.GroupSize;
        int groupCount = EpochPlan.GroupCount(minibatch.Length, groupSize);
        var round = Round.Training(_nextRoundId++, groupCount, _state.Weights.Length);
        foreach (var (first, end) in ShardPlanner.Plan(groupCount, System.Math.Max(1, _workers.Ready.Count())))
        {
            var ids = minibatch[(first * groupSize)..System.Math.Min(end * groupSize, minibatch.Length)].ToArray();
            round.Defer(new ComputeGradients(_jobId, round.Id, _state.Epoch, _state.Step, minibatch.Length, groupCount, first, end, ids));
        }
        Dispatch(round);
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
    /// Gives each waiting request of the round to a ready worker that may take one (<see cref="Round.MayTake"/>),
    /// sending it the weights first; workers whose replies this round were refused come last.
    /// </summary>
    private void DispatchDeferred()
    {
        if (_round is null) return;
        var ready = _workers.Ready.ToList();
        foreach (var worker in ready.OrderBy(_round.Refused))
        {
            if (!_round.HasUnassigned) return;
            if (!_round.MayTake(worker, ready)) continue;
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
        var timing = new RoundTiming(round.ElapsedMs, round.SlowestComputeMs);
        _timings.Add(timing);
        int minibatchSize = _plan!.Minibatch(_state.Minibatch).Length;
        var (step, fault) = Update(gradient, loss);
        if (fault is not null)
        {
            Skip(fault, minibatchSize, timing, Names(round.Contributors));
            return;
        }
        _state = _state.Stepped(step.Weights, step.Optimizer, loss, timing, Names(round.Contributors), TrainingSeconds());
        double meanLoss = loss / ((double)minibatchSize * _job.Train.TargetsPerSample);
        _client.Tell(new StepCompleted(new StepProgress(_state.Epoch + 1, _state.Minibatch, _plan.MinibatchCount, meanLoss, round.Contributors.Count),
            new RoundReport(timing, round.Shares)));
        if (_settings.Checkpoints is { } policy && policy.IsDueAfter(_state.Step)) Checkpoint();
        NextRound();
    }

    /// <summary>
    /// The step the finished gradient gives, or why it must not be taken: a loss or gradient that is not finite
    /// (looked at before clipping, which would spread one infinity as NaN over every value), or weights or
    /// optimizer moments the step would make so (a learning rate that overflows a float). The check reads only
    /// the finished tree, which is the same bits on any number of workers, so every run skips the same steps.
    /// </summary>
    private ((float[] Weights, OptimizerState Optimizer) Step, string? Fault) Update(float[] gradient, double loss)
    {
        if (!double.IsFinite(loss)) return (default, $"the loss is {NonFinite.Name(loss)}");
        if (NonFinite.Find(gradient, _layout) is { } inGradient) return (default, $"the gradient has {inGradient}");
        if (_job.Training.ClipNorm > 0) GradientClipping.ClipGlobalNorm(gradient, _job.Training.ClipNorm);
        var (weights, optimizer) = _optimizer.Step(_state.Weights, _state.Optimizer, gradient);
        if (NonFinite.Find(weights, _layout) is { } inWeights) return (default, $"the update would put {inWeights}");
        if ((NonFinite.Find(optimizer.First, _layout) ?? NonFinite.Find(optimizer.Second, _layout)) is { } inMoments)
            return (default, $"the update would put {inMoments} of the optimizer's moments");
        return ((weights, optimizer), null);
    }

    /// <summary>Passes the minibatch without a step and says so; past training.maxBadSteps in a row the run has diverged.</summary>
    private void Skip(string fault, int minibatchSize, RoundTiming timing, IEnumerable<string> workers)
    {
        _state = _state.Skipped(minibatchSize, timing, workers, TrainingSeconds());
        var skipped = new SkippedStep(_state.Epoch + 1, _state.Minibatch, _plan!.MinibatchCount, _state.Step, fault, _state.BadSteps, _job.Training.MaxBadSteps);
        _log.Info("step {0} skipped: {1}", _state.Step, fault);
        _client.Tell(new StepSkipped(skipped));
        if (_state.BadSteps >= _job.Training.MaxBadSteps)
            throw new TrainingDivergedException(_state.Step, _state.Epoch + 1, _state.BadSteps, fault);
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
            Loss: tally.LossSum / ((double)(train.Samples - tally.SkippedSamples) * train.TargetsPerSample),
            ValLoss: validationLoss,
            SeqPerSec: train.Samples / (tally.TrainingMs / 1000.0),
            Workers: tally.Workers.Count,
            ElapsedSec: TrainingSeconds(),
            MsPerStep: tally.Rounds == 0 ? 0 : tally.TrainingMs / tally.Rounds,
            SyncMsPerRound: tally.Rounds == 0 ? 0 : tally.SyncMs / tally.Rounds,
            SkippedSteps: tally.SkippedSteps);
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
        if (_workers.HasReady) return;
        var refusal = _jobRefusal is null ? "" : $" ({_jobRefusal})";
        throw new TimeoutException($"all workers lost: none ready for {_settings.WorkersLostDeadline.TotalSeconds:0} s, at epoch {_state.Epoch + 1}, step {_state.Step}{refusal}");
    }

    private void ReportWaiting() => _client.Tell(new WaitingForWorkers(_workers.Count, _settings.MinWorkers));

    private static IEnumerable<string> Names(IEnumerable<IActorRef> workers) => workers.Select(w => w.Path.ToString());

    private bool IsThisJob(IProtocolMessage message) => message.JobId == _jobId;

    private bool IsThisRound(IRoundMessage message) => message.JobId == _jobId && _round?.Id == message.RoundId;
}
