using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Rnn.Math.Config;
using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.DataPlane;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Coordinator.Actors;

using EarlyStopping = Rnn.Math.Training.EarlyStopping;
using Optimizer = Rnn.Math.Training.Optimizer;

/// <summary>
/// Runs one training job over whatever workers are there: waits for enough of them, ships the dataset to each on
/// the data plane, then for every minibatch gives each usable worker a contiguous run of gradient groups sized by
/// its speed (with the weights first, on the data plane, when it lacks them; who gets what, and when a shard is
/// late, is <see cref="ShardPolicy"/>'s to decide, the actor's to carry out), receives the root of the reduction
/// tree the workers finished among themselves (tensors on the data plane, replies and loss sums through Akka),
/// clips, and steps the optimizer; at each epoch's end it shards the validation set the same way and reports the
/// epoch's metrics to the client. In a validation round a shard whose worker is lost or unreachable goes to a
/// live worker at once, and a shard late past its holder's recent pace goes to the idle workers too, cut among
/// them; the first answer counts (see <see cref="Round"/>). A training round's partial sums pass from worker to
/// worker, so a lost, unreachable, refused or late holder cannot hand its one shard on: the round is started
/// again under a new id, on the workers usable then, without it (the gradient does not depend on the split, so
/// the bits stay the same). It checkpoints its state as its settings say; on <see cref="StopTraining"/> it drops
/// the round in flight and checkpoints, and on <see cref="ClusterLost"/> it checkpoints and fails.
/// States: WaitingForWorkers → DistributingData → Training → Done.
/// The run's position is one value, <see cref="TrainingState"/>, replaced at every step; the fields besides it
/// are the connections to workers (<see cref="WorkerRoster"/>), the round in flight and clocks.
/// A step whose loss, gradient or update is not finite is skipped, and after training.maxBadSteps in a row the
/// run fails as diverged. A worker's message or data-plane frame that does not fit is refused, once, and its
/// shard goes to another worker; a worker that refuses what it was sent gets the job again, as does one whose
/// frame was refused (its connections start over); one that cannot hold the job is given nothing of it.
/// </summary>
internal sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    private readonly TrainingJob _job;
    private readonly IActorRef _client;
    private readonly CoordinatorSettings _settings;
    private readonly Guid _jobId = Guid.NewGuid();
    private readonly Guid _token = Guid.NewGuid();
    private readonly DataPlaneNode _plane = DataPlaneNode.Get(Context.System);
    private Action<string>? _peerGone;
    private readonly RootInbox _inbox;
    private readonly Optimizer _optimizer;
    private readonly ParameterLayout _layout;
    private readonly WorkerRoster _workers;
    private readonly ShardPolicy _policy;
    private readonly List<RoundTiming> _timings = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly double _secondsBefore;

    private TrainingState _state;
    private readonly HashSet<(IActorRef Worker, long Round)> _refusalsNoted = new();
    private EpochPlan? _plan;

    /// <summary>The next epoch's plan, where its first minibatch was read ahead of the epoch's end; the next epoch's plan then.</summary>
    private EpochPlan? _nextPlan;

    /// <summary>The next step's round, cut a step ahead where a worker fetches its samples (<see cref="ShardPolicy.Forecast"/>).</summary>
    private (long Step, RoundForecast Round)? _forecast;

    /// <summary>The validation round that follows the epoch's last step, cut with it where a worker fetches its samples.</summary>
    private (long Step, RoundForecast Round)? _validationForecast;
    private Round? _round;
    private Func<int, int, int> _samplesOf = (_, _) => 0;
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

    /// <summary>The earliest time a shard of the round in flight becomes late.</summary>
    private sealed record CheckLateShards
    {
        public static readonly CheckLateShards Instance = new();
    }

    /// <summary>Every holder of training round <see cref="RoundId"/> has answered for a while, and its root has not come.</summary>
    private sealed record RootOverdue(long RoundId);

    public CoordinatorActor(TrainingJob job, TrainingState start, IActorRef client, CoordinatorSettings settings)
    {
        _job = job;
        _state = start;
        _secondsBefore = start.TrainingSeconds;
        _client = client;
        _settings = settings with { MinWorkers = System.Math.Max(1, settings.MinWorkers) };
        _optimizer = Optimizer.Create(job.Training.OptimizerOrDefault);
        _layout = job.Network.Layout;
        var shape = new DataShape(job.Train.Samples, job.Validation?.Samples ?? 0, job.Train.Timesteps, job.Train.InputSize, job.Train.TargetsPerSample)
        {
            HasLengths = job.Train.Lengths is not null,
            Mapped = MappedData(job),
        };
        _inbox = new RootInbox(job.InitialWeights.Length, Self);
        var endpoint = _plane.Register(_token, _inbox);
        _workers = new WorkerRoster(WorkerJob.Of(job.Model, job.Training), shape, job, _jobId, _token, _plane, endpoint, settings.Faults);
        _policy = new ShardPolicy(_workers, _settings);
        WaitingForWorkers();
    }

    /// <summary>A coordinator of <paramref name="job"/> starting from <paramref name="start"/> (a fresh state or a checkpoint's).</summary>
    public static Props Props(TrainingJob job, TrainingState start, IActorRef client, CoordinatorSettings settings)
        => Akka.Actor.Props.Create(() => new CoordinatorActor(job, start, client, settings));

    /// <summary>A coordinator of <paramref name="job"/> from its first step.</summary>
    public static Props Props(TrainingJob job, IActorRef client, CoordinatorSettings settings)
        => Props(job, TrainingState.Initial(job), client, settings);

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>
    /// The file every worker maps for itself, when the job's x and y are one safetensors file mapped in place (its
    /// validation, if any, from the same file); null when the data goes to the workers on the data plane.
    /// </summary>
    private static MappedData? MappedData(TrainingJob job)
    {
        if (job.Train.Mapped is not { } train) return null;
        if (job.Validation is { } validation && validation.Mapped?.Path != train.Path) return null;
        return new MappedData(train.Path, FileHash.Sha256(train.Path), train.First, job.Validation?.Mapped?.First ?? 0);
    }

    protected override void PreStart()
    {
        var self = Self;
        _peerGone = endpoint => self.Tell(new DataPlanePeerGone(endpoint));
        _plane.PeerGone += _peerGone;
        // A resumed run whose checkpoint is its end has nothing left to train and needs no worker.
        if (_state.IsFinished(_job.Training.Epochs))
        {
            Finish();
            return;
        }
        ReportWaiting();
        Timers.StartPeriodicTimer(nameof(RemindWaiting), RemindWaiting.Instance, _settings.WaitingReminder);
    }

    protected override void PostStop()
    {
        _plane.PeerGone -= _peerGone;
        _plane.Unregister(_token, _inbox);
    }

    private void WaitingForWorkers()
    {
        ReceiveCommon(joined: worker =>
        {
            if (!AddWorker(worker)) return;
            if (_workers.Count < _settings.MinWorkers)
            {
                ReportWaiting();
                return;
            }
            Timers.Cancel(nameof(RemindWaiting));
            foreach (var each in _workers.All) _workers.SendJob(each);
            Become(DistributingData);
        }, gone: worker =>
        {
            if (RemoveWorker(worker)) ReportWaiting();
        });
        Receive<RemindWaiting>(_ => ReportWaiting());
    }

    private void DistributingData()
    {
        ReceiveCommon(JoinStarted, worker => RemoveStartedWorker(worker));
        Receive<DataReceived>(IsThisJob, _ =>
        {
            if (!_workers.MarkHasData(Sender) || _workers.Ready.Count() < _settings.MinWorkers) return;
            _trainingClock = Stopwatch.StartNew();
            Become(Training);
            NextRound();
        });
        ReceiveStarted();
    }

    private void Training()
    {
        ReceiveCommon(JoinStarted, WorkerGone);
        Receive<DataReceived>(IsThisJob, _ => { if (_workers.MarkHasData(Sender)) Dispatch(); });
        Receive<CheckLateShards>(_ => Dispatch());
        Receive<RootOverdue>(overdue => _round is { IsValidation: false, IsComplete: false } round && round.Id == overdue.RoundId, _ => RootMissing(_round!));
        Receive<RootArrived>(arrived => _round is { IsValidation: false } && _round.Id == arrived.RoundId, _ =>
        {
            _round!.RootArrived();
            if (_round.IsComplete) Finished(_round);
        });
        Receive<GradientsComputed>(IsThisJob, done => Answered(done, done.Partials, done.ComputeMs, withGradients: true, done.States));
        Receive<ValidationLossComputed>(IsThisJob, done => Answered(done, done.Partials, done.ComputeMs, withGradients: false));
        Receive<ShardFailed>(IsThisRound, Fail);
        Receive<ShardFailed>(IsThisJob, failed => { if (_workers.MarkDone(Sender, failed.RoundId) is not null) Dispatch(); });
        ReceiveStarted();
    }

    /// <summary>
    /// What every state hears the same way: workers joining and going (each state says what that means to it),
    /// the failure detector's news, and the session's stop and loss of the cluster.
    /// </summary>
    private void ReceiveCommon(Action<IActorRef> joined, Action<IActorRef> gone)
    {
        Receive<WorkerJoined>(message => joined(message.Worker));
        Receive<Terminated>(terminated => gone(terminated.ActorRef));
        Receive<WorkerDowned>(downed => gone(downed.Worker));
        ReceiveReachability();
        Receive<StopTraining>(_ => Stop());
        Receive<ClusterLost>(LoseCluster);
    }

    /// <summary>
    /// What both states after the job was sent hear the same way: a worker's data-plane endpoint, the deadline for
    /// lost workers, refusals, and protocol messages that are not for this job (last, so the handlers above win).
    /// </summary>
    private void ReceiveStarted()
    {
        Receive<WorkerReady>(IsThisJob, ready => _workers.SendData(Sender, ready.Endpoint, ready.NeedsData));
        Receive<FetchSamples>(IsThisJob, fetch =>
        {
            if (!_workers.SendSamples(Sender, fetch)) _log.Warning("worker {0} asked for samples it cannot have: {1} of the {2} set", Sender.Path, fetch.SampleIds.Length, fetch.Validation ? "validation" : "training");
        });
        Receive<WorkersLostDeadline>(_ => FailIfNoWorkers());
        ReceiveRefusals();
        Receive<IProtocolMessage>(Misaddressed);
    }

    /// <summary>A worker that joins once the job was sent gets the job at once.</summary>
    private void JoinStarted(IActorRef worker)
    {
        if (AddWorker(worker)) _workers.SendJob(worker);
    }

    /// <summary>A worker left, died or was downed: it loses its claim on its shard, which goes to another worker.</summary>
    private void WorkerGone(IActorRef worker)
    {
        // An unreachable worker's shard was given away (and said so) already; it only loses its claim now.
        bool reported = !_workers.IsReachable(worker);
        if (!RemoveStartedWorker(worker)) return;
        TakeShardFrom(worker, reported ? null : ReissueCause.Left);
    }

    /// <summary>
    /// The failure detector's news: an unreachable worker gets no new request and its shard goes to a live worker
    /// at once, long before the node is removed; it keeps the shard too, and if it comes back and answers first,
    /// that answer counts. A worker reachable again takes work again. The data plane's news comes first for a
    /// process that died on a live host, in any phase of a round: the connection this node keeps to every worker's
    /// data plane ends, and its port refuses a new one (DataPlaneNode.PeerGone), within milliseconds, where the
    /// failure detector takes seconds; such a worker counts as unreachable at once, and its node goes on to be
    /// downed and removed as the failure detector decides.
    /// </summary>
    private void ReceiveReachability()
    {
        Receive<WorkerUnreachable>(unreachable => Unreachable(unreachable.Worker));
        Receive<DataPlanePeerGone>(gone =>
        {
            if (_workers.AtEndpoint(gone.Endpoint) is not { } worker) return;
            _log.Info("worker {0}: its data-plane connection ended and its port refuses connections; its process is gone", worker.Path);
            Unreachable(worker);
        });
        Receive<WorkerReachable>(reachable =>
        {
            if (!_workers.MarkReachable(reachable.Worker, true)) return;
            _client.Tell(new WorkerBack(NodeOf(reachable.Worker), _workers.ReachableCount, _workers.Count));
            Dispatch();
        });
    }

    /// <summary>An unreachable worker gets no new request, and its shard goes to a live worker at once.</summary>
    private void Unreachable(IActorRef worker)
    {
        if (!_workers.MarkReachable(worker, false)) return;
        _client.Tell(new WorkerLost(NodeOf(worker), _workers.ReachableCount, _workers.Count));
        if (_round is { } round && round.HeldBy(worker) is { } shard) Reissue(round, worker, shard, ReissueCause.Unreachable, Dispatch());
        else if (SentSums(worker)) Dispatch();
    }

    /// <summary>What both working states do with refusals: a worker's of the job or of a message, and a message no one could read.</summary>
    private void ReceiveRefusals()
    {
        Receive<SenderRefused>(refused => RefusedFrame(refused.SenderId, refused.Reason, by: null));
        Receive<FrameRefused>(IsThisJob, refused => RefusedFrame(refused.SenderId, refused.Reason, by: Sender));
        Receive<JobRefused>(IsThisJob, RefusedJob);
        Receive<MessageRefused>(refused => refused.JobId == _jobId || refused.JobId == Guid.Empty, refused => RefusedByWorker(Sender, refused.Reason));
        Receive<UndecodableMessage>(message => Refuse(Sender, $"a {message.Manifest} message", $"it could not be read: {message.Reason}"));
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

    private void Judge(IRoundMessage message, string? refusal)
    {
        if (refusal is not null) Refuse(Sender, $"a {message.GetType().Name} of round {message.RoundId}", refusal);
    }

    /// <summary>
    /// A protocol message no state took: another job's, a round never started, or one of its kind this state
    /// does not expect, is refused; a reply to a round already finished is late news and dropped.
    /// </summary>
    private void Misaddressed(IProtocolMessage message)
    {
        string what = $"a {message.GetType().Name}";
        if (message.JobId != _jobId) Refuse(Sender, what, $"it names job {message.JobId}, this job is {_jobId}");
        else if (message is IRoundMessage { RoundId: var id } && id >= _nextRoundId) Refuse(Sender, what, $"it names round {id}, which was never started");
        else if (message is IRoundMessage { RoundId: var late } && late < (_round?.Id ?? _nextRoundId)) _log.Debug("dropped {0} of round {1}, which is over", what, late);
        else Refuse(Sender, what, "it is not expected now");
    }

    /// <summary>
    /// Refuses a worker's message or frame, telling the client once per worker and round (a bad reply may come in
    /// many frames), and gives the worker's shard to another worker: its reply can no longer be trusted whole.
    /// </summary>
    private void Refuse(IActorRef worker, string what, string why)
    {
        var round = _round;
        // A worker that answered a training round may not have sent all its sums on yet: the round starts again too.
        bool answered = SentSums(worker);
        var shard = round?.Refuse(worker);
        // Whatever else it sends of this reply is dropped, so the worker counts as free from now.
        if (shard is not null) _workers.MarkDone(worker, round!.Id);
        if (_refusalsNoted.Add((worker, round?.Id ?? -1)))
        {
            var fate = shard is null && !answered ? "it held no shard" : $"its shard of round {round!.Id} is re-issued";
            var line = $"refused {what} from worker {worker.Path}: {why}; {fate}";
            _log.Info(line);
            _client.Tell(new MessageRefusedNote(worker.Path.ToString(), line));
        }
        if (shard is { } taken) GiveAway(worker, taken, cause: null);
        else if (answered) Dispatch();
    }

    /// <summary>
    /// A data-plane frame that did not fit, refused here (<paramref name="by"/> null) or by the worker
    /// <paramref name="by"/>. A frame of this coordinator's (the data or the weights) refused by a worker is that
    /// worker's refusal of what it was sent. A worker's frame refused is refused like its message, and the worker
    /// gets the job again: its connection was cut at the refused frame, and a new copy of the job opens new ones.
    /// </summary>
    private void RefusedFrame(int senderId, string reason, IActorRef? by)
    {
        if (senderId == StartJob.CoordinatorId && by is not null)
        {
            RefusedByWorker(by, reason);
            return;
        }
        if (_workers.WithId(senderId) is not { } sender) return;
        _workers.SendJobAgain(sender);
        Refuse(sender, by is null ? "a frame" : $"a frame sent to worker {by.Path}", reason);
    }

    /// <summary>The worker refused something this coordinator sent: it gets the job again, and its shard is re-issued.</summary>
    private void RefusedByWorker(IActorRef worker, string reason)
    {
        var shard = _round?.Release(worker);
        var fate = shard is null ? "" : $"; its shard of round {_round!.Id} is re-issued";
        var line = $"worker {worker.Path} refused {reason}; it gets the job again{fate}";
        _log.Info(line);
        _client.Tell(new MessageRefusedNote(worker.Path.ToString(), line));
        _workers.SendJobAgain(worker);
        if (shard is { } taken) GiveAway(worker, taken, cause: null);
    }

    /// <summary>The worker cannot hold the job: it gets nothing of it; without any worker that could, the deadline runs.</summary>
    private void RefusedJob(JobRefused refused)
    {
        if (!_workers.MarkRefusedJob(Sender)) return;
        _jobRefusal = $"worker {Sender.Path} refused the job: {refused.Reason}";
        _log.Info(_jobRefusal);
        _client.Tell(new WorkerRefusedJob(Sender.Path.ToString(), refused.Reason));
        if (_round?.Release(Sender) is { } shard) GiveAway(Sender, shard, cause: null);
        if (_workers.HasReady || _workers.AnyMayServe) return;
        _client.Tell(new WaitingForWorkers(0, System.Math.Max(1, _settings.MinWorkers - _workers.Ready.Count())));
        Timers.StartSingleTimer(nameof(WorkersLostDeadline), WorkersLostDeadline.Instance, _settings.WorkersLostDeadline);
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
        _plan ??= EpochPlan.Of(_job, _state.Epoch);
        if (_state.Minibatch < _plan.MinibatchCount) Dispatch();
        else if (_job.Validation is { Samples: > 0 }) StartValidationRound();
        else FinishEpoch(_state, null);
    }

    /// <summary>
    /// Starts a training round for the current minibatch on the workers usable now but <paramref name="excluded"/>
    /// (unless no other is): one contiguous shard each, sized by speed, with every shard's data-plane endpoint, so
    /// the workers route their partial sums along the tree and the root alone comes back here. Without any usable
    /// worker the round starts once one is (<see cref="Dispatch"/>). Returns what it handed out.
    /// </summary>
    private List<Assignment> StartTrainingRound(IReadOnlyCollection<IActorRef> excluded)
    {
        var minibatch = _plan!.Minibatch(_state.Minibatch).ToArray();
        int groupSize = _job.Training.GroupSize, samples = minibatch.Length;
        int groupCount = EpochPlan.GroupCount(samples, groupSize);
        _round = null;
        var (holding, workers) = _policy.TrainingRound(groupCount, excluded, _forecast is { } f && f.Step == _state.Step ? f.Round : null);
        _forecast = null;
        if (holding.Count == 0) return [];
        int[] bounds = [.. holding.Select(h => h.First), groupCount];
        string[] holders = [.. holding.Select(h => _workers.EndpointOf(h.Worker))];
        var (id, epoch, step) = (_nextRoundId++, _state.Epoch, _state.Step);
        long terms = _job.Train.Terms(minibatch);
        // Where a worker fetches its samples, the next round's shards are cut now (kept if the same workers are then
        // usable), so each such worker reads ahead exactly the samples of its next shard; only such workers are told,
        // so the others' requests stay as small as they were.
        bool fetching = holding.Any(h => _workers.Fetches(h.Worker));
        var next = fetching ? NextMinibatch() : null;
        if (next is not null) _forecast = (step + 1, _policy.Forecast(workers, EpochPlan.GroupCount(next.Length, groupSize)));
        // At the epoch's last step, the validation round after it is cut too, so that each such worker reads its
        // first slice ahead (a stateful job's validation goes stream by stream, each stream's windows one ahead).
        _validationForecast = _state.Minibatch + 1 == _plan.MinibatchCount && _job.Validation is { Samples: > 0 } validation
                              && _job.ValidationStreams is null && fetching
            ? (step + 1, _policy.Forecast(workers, EpochPlan.GroupCount(validation.Samples, groupSize)))
            : null;
        _samplesOf = (first, end) => System.Math.Min(end * groupSize, samples) - first * groupSize;
        _round = Round.Training(id, groupCount, _inbox.Gradient, (first, end) =>
        {
            var ids = minibatch[(first * groupSize)..System.Math.Min(end * groupSize, samples)];
            return new ComputeGradients(_jobId, id, epoch, step, samples, groupCount, Array.IndexOf(bounds, first), bounds, holders, ids)
            {
                LossTerms = terms,
                States = StatesOf(ids),
            };
        }, excluded, _job.StateWidth);
        _inbox.Expect(id, groupCount);
        foreach (var (worker, first, end) in holding)
        {
            var request = (ComputeGradients)_round.Issue(worker, first, end);
            if (_forecast is { Round: var forecast } && _workers.Fetches(worker))
                request = request with
                {
                    NextSampleIds = forecast.Shards.Where(s => s.Worker.Equals(worker))
                        .SelectMany(s => next![(s.First * groupSize)..System.Math.Min(s.End * groupSize, next.Length)]).ToArray(),
                };
            if (_validationForecast is { Round: var checking } && _workers.Fetches(worker)
                && checking.Shards.FirstOrDefault(s => s.Worker.Equals(worker)) is { Worker: not null } shard)
                request = request with { NextValidation = new ValidationShard(checking.GroupCount, shard.First, shard.End) };
            _workers.SendRequest(worker, id, _samplesOf(first, end), request, step, _state.Weights);
        }
        return holding;
    }

    /// <summary>
    /// The sample ids of the minibatch after the current one: the next epoch's first after the epoch's last (its plan
    /// kept for that epoch), none after the run's last epoch.
    /// </summary>
    private int[]? NextMinibatch()
    {
        if (_state.Minibatch + 1 < _plan!.MinibatchCount) return _plan.Minibatch(_state.Minibatch + 1).ToArray();
        if (_state.Epoch + 1 >= _job.Training.Epochs) return null;
        _nextPlan ??= EpochPlan.Of(_job, _state.Epoch + 1);
        return _nextPlan.Minibatch(0).ToArray();
    }

    /// <summary>A stateful job's states of the streams of samples <paramref name="ids"/>, one row each (null for a job that is not stateful).</summary>
    private float[]? StatesOf(int[] ids)
    {
        if (_job.Streams is not { } streams) return null;
        int width = _job.StateWidth;
        var states = new float[ids.Length * width];
        for (int i = 0; i < ids.Length; i++)
            _state.StreamStates.AsSpan(streams.StreamOf(ids[i]) * width, width).CopyTo(states.AsSpan(i * width));
        return states;
    }

    /// <summary>The streams' states after <paramref name="round"/>: each of its samples' stream goes on from the state the sample ended with.</summary>
    private float[] StatesAfter(Round round, int[] minibatch)
    {
        if (_job.Streams is not { } streams) return _state.StreamStates;
        int width = _job.StateWidth, groupSize = _job.Training.GroupSize;
        var next = (float[])_state.StreamStates.Clone();
        foreach (var (first, _, states) in round.States)
            for (int i = 0; i < states.Length / width; i++)
                states.AsSpan(i * width, width).CopyTo(next.AsSpan(streams.StreamOf(minibatch[first * groupSize + i]) * width));
        return next;
    }

    /// <summary>
    /// The validation round: groups of validation samples, or for a stateful job of validation streams (each read
    /// window by window on one worker), whose samples are what a worker's pace is judged by.
    /// </summary>
    private void StartValidationRound()
    {
        int groupSize = _job.Training.GroupSize, samples = _job.Validation!.Samples;
        int units = _job.ValidationStreams?.Count ?? samples, perUnit = _job.ValidationStreams?.Windows ?? 1;
        int groupCount = EpochPlan.GroupCount(units, groupSize);
        var (id, step) = (_nextRoundId++, _state.Step);
        _samplesOf = (first, end) => (System.Math.Min(end * groupSize, units) - first * groupSize) * perUnit;
        _round = Round.Validation(id, groupCount, (first, end) => new ComputeValidationLoss(_jobId, id, step, groupCount, first, end));
        Dispatch(startingRound: true);
    }

    /// <summary>
    /// Puts every idle worker to use in the round in flight, as the policy (<see cref="ShardPolicy"/>) cuts the
    /// work, and returns what it handed out. A training round not started for want of workers starts; one that lost
    /// a holder (gone, unreachable, refused) or has a shard late while a worker is idle starts again without it
    /// (<see cref="StartTrainingRound"/>). A validation round gives out its gaps, then copies of late shards.
    /// Either way it sets the timer for the next shard to become late.
    /// </summary>
    private List<Assignment> Dispatch(bool startingRound = false)
    {
        Timers.Cancel(nameof(CheckLateShards));
        var given = _round switch
        {
            null when _state.Minibatch < (_plan?.MinibatchCount ?? 0) => StartTrainingRound([]),
            null => [],
            { IsValidation: false } round => DispatchTraining(round),
            var round => DispatchValidation(round, startingRound),
        };
        // Shards already late wait for a worker to become free, which calls this again; the timer is for the rest.
        if (_round is { } inFlight && _policy.NextLate(inFlight, _samplesOf) is { } next)
            Timers.StartSingleTimer(nameof(CheckLateShards), CheckLateShards.Instance, next);
        return given;
    }

    private List<Assignment> DispatchTraining(Round round)
    {
        if (_policy.Judge(round, _samplesOf) is not { } verdict) return [];
        _log.Info("round {0} {1} and starts again as round {2}", round.Id, verdict.Late is null ? "lost a holder" : "waits on a late shard", _nextRoundId);
        var given = StartTrainingRound(verdict.Excluded);
        if (verdict.Late is { } late) Report(round, late.Holder, (late.First, late.End), ReissueCause.Late, given, late.Waited, late.Allowed);
        return given;
    }

    private List<Assignment> DispatchValidation(Round round, bool startingRound)
    {
        var forecast = startingRound && _validationForecast is { } f && f.Step == _state.Step ? f.Round : null;
        _validationForecast = null;
        var (gaps, copies) = _policy.Validation(round, startingRound, _samplesOf, forecast);
        foreach (var piece in gaps) Send(round, piece);
        var given = new List<Assignment>(gaps);
        foreach (var (late, pieces) in copies)
        {
            foreach (var piece in pieces) Send(round, piece);
            given.AddRange(pieces);
            round.MarkCopied(late.First, late.End);
            Report(round, late.Holder, (late.First, late.End), ReissueCause.Late, pieces, late.Waited, late.Allowed);
        }
        return given;
    }

    /// <summary>Issues <paramref name="piece"/> of <paramref name="round"/> to its worker and sends the request.</summary>
    private void Send(Round round, Assignment piece)
    {
        var request = round.Issue(piece.Worker, piece.First, piece.End);
        _workers.SendRequest(piece.Worker, round.Id, _samplesOf(piece.First, piece.End), request, _state.Step, _state.Weights);
    }

    /// <summary>
    /// Takes <paramref name="worker"/>'s shard of the round in flight away and gives it to other workers: the one
    /// way a shard leaves its holder for good (the worker left, or its answers cannot be trusted). The worker,
    /// if it is still there, counts as busy until it answers. The client hears of it with <paramref name="cause"/>,
    /// unless that is null (it heard already).
    /// </summary>
    private void TakeShardFrom(IActorRef worker, ReissueCause? cause)
    {
        if (_round?.Release(worker) is { } shard) GiveAway(worker, shard, cause);
        else if (SentSums(worker)) Dispatch();
    }

    /// <summary>Whether the worker answered the training round in flight: its sums may not all have gone on along the tree yet.</summary>
    private bool SentSums(IActorRef worker) => _round is { IsValidation: false } round && round.Contributors.Contains(worker);

    /// <summary>Gives the shard just taken from <paramref name="worker"/> to other workers, telling the client with <paramref name="cause"/> unless null.</summary>
    private void GiveAway(IActorRef worker, (int First, int End) shard, ReissueCause? cause)
    {
        var round = _round!;
        var given = Dispatch();
        if (cause is { } reported) Reissue(round, worker, shard, reported, given);
    }

    /// <summary>
    /// Tells the client where the shard of <paramref name="round"/> taken from <paramref name="worker"/> went, when
    /// it went anywhere (another holder may still cover it), or that it waits for a worker. A training round's
    /// shard goes to every worker of the round started again in its place.
    /// </summary>
    private void Reissue(Round round, IActorRef worker, (int First, int End) shard, ReissueCause cause, List<Assignment> given)
    {
        var to = round.IsValidation ? Overlapping(given, shard) : given;
        if (to.Count == 0 && _round is { } now && !now.Gaps(_workers.IsReachable).Any(g => g.First < shard.End && shard.First < g.End)) return;
        Report(round, worker, shard, cause, to, TimeSpan.Zero, TimeSpan.Zero);
    }

    private static List<Assignment> Overlapping(List<Assignment> given, (int First, int End) shard)
        => given.Where(g => g.First < shard.End && shard.First < g.End).ToList();

    private void Report(Round round, IActorRef from, (int First, int End) shard, ReissueCause cause, List<Assignment> to,
        TimeSpan waited, TimeSpan allowed)
    {
        _client.Tell(new ShardReissued(new ShardReissue(_state.Epoch + 1, _state.Step + 1, round.IsValidation, shard.First, shard.End,
            round.GroupCount, NodeOf(from), cause, waited.TotalSeconds, allowed.TotalSeconds, to.Select(t => NodeOf(t.Worker)).ToArray())));
    }

    /// <summary>
    /// A closing reply: the worker is free again whatever round it answers, and takes the next piece of work; a
    /// reply to the round in flight is counted if it came first (see <see cref="Round.Complete"/>). Every training
    /// answer measures the worker's pace, counted or not: a slow worker's answers are the ones that come late.
    /// </summary>
    private void Answered(IRoundMessage reply, PartialSum[] partials, double computeMs, bool withGradients, float[]? states = null)
    {
        if (reply.RoundId >= _nextRoundId)
        {
            Misaddressed(reply);
            return;
        }
        var request = _workers.MarkDone(Sender, reply.RoundId);
        if (request is { } done && withGradients && double.IsFinite(computeMs) && computeMs >= 0)
            _workers.Pace(Sender).Record(done.Samples, computeMs, done.Waited.TotalMilliseconds);
        if (_round is not { } round || round.Id != reply.RoundId)
        {
            if (request is not null) Dispatch();
            return;
        }
        var (_, refusal) = round.Complete(Sender, partials, computeMs, withGradients, states);
        Judge(reply, refusal);
        if (round.IsComplete) Finished(round);
        else if (_round == round)
        {
            if (round.AwaitsOnlyRoot) Timers.StartSingleTimer(nameof(RootOverdue), new RootOverdue(round.Id), _settings.RootWait);
            Dispatch();
        }
    }

    /// <summary>
    /// Every holder said its sums went on, yet the root never reached this node's data plane (a transfer lost
    /// where neither end noticed). Nothing else would end the wait: the round starts again on the workers there are.
    /// </summary>
    private void RootMissing(Round round)
    {
        _log.Warning("round {0}: every holder answered but the root of its sums did not arrive within {1:0} s; it starts again as round {2}",
            round.Id, _settings.RootWait.TotalSeconds, _nextRoundId);
        var given = StartTrainingRound(round.Refused);
        _client.Tell(new ShardReissued(new ShardReissue(_state.Epoch + 1, _state.Step + 1, false, 0, round.GroupCount, round.GroupCount,
            "every holder", ReissueCause.RootMissing, _settings.RootWait.TotalSeconds, _settings.RootWait.TotalSeconds,
            given.Select(g => NodeOf(g.Worker)).ToArray())));
    }

    /// <summary>Every answer of the round is in (for a training round, its gradient's root too).</summary>
    private void Finished(Round round)
    {
        Timers.Cancel(nameof(CheckLateShards));
        if (round.IsValidation) FinishValidationRound(round);
        else FinishTrainingRound(round);
    }

    private void FinishTrainingRound(Round round)
    {
        _round = null;
        var (gradient, sums) = round.Root;
        double loss = sums.Loss;
        var timing = new RoundTiming(round.ElapsedMs, round.SlowestComputeMs);
        _timings.Add(timing);
        var minibatch = _plan!.Minibatch(_state.Minibatch).ToArray();
        int minibatchSize = minibatch.Length;
        long terms = _job.Train.Terms(minibatch);
        var (step, fault) = Update(gradient, loss);
        if (fault is not null)
        {
            Skip(fault, minibatchSize, terms, timing, Names(round.Contributors));
            return;
        }
        _state = _state.Stepped(step.Weights, step.Optimizer, sums, timing, Names(round.Contributors), TrainingSeconds(), StatesAfter(round, minibatch));
        double meanLoss = loss / terms;
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
        var (weights, optimizer) = OptimizerAt(RateOf(_state.Epoch, _state.Step, _state.Plateau)).Step(_state.Weights, _state.Optimizer, gradient);
        if (NonFinite.Find(weights, _layout) is { } inWeights) return (default, $"the update would put {inWeights}");
        if ((NonFinite.Find(optimizer.First, _layout) ?? NonFinite.Find(optimizer.Second, _layout)) is { } inMoments)
            return (default, $"the update would put {inMoments} of the optimizer's moments");
        return ((weights, optimizer), null);
    }

    /// <summary>The learning rate of step <paramref name="step"/> (from 0, in epoch <paramref name="epoch"/> from 0) under training.schedule.</summary>
    private float RateOf(int epoch, long step, PlateauState plateau)
    {
        long total = (long)_job.Training.Epochs * EpochPlan.MinibatchesOf(_job.Train.Samples, _job.Training.BatchSize);
        return LearningRateSchedule.Rate(_job.Training.OptimizerOrDefault.LearningRate, _job.Training.Schedule, epoch, step, total, plateau);
    }

    /// <summary>The run's optimizer at <paramref name="rate"/>: its own, or the same rule made for the scheduled rate.</summary>
    private Optimizer OptimizerAt(float rate)
    {
        var config = _job.Training.OptimizerOrDefault;
        return rate == config.LearningRate ? _optimizer : Optimizer.Create(config with { LearningRate = rate });
    }

    /// <summary>Passes the minibatch without a step and says so; past training.maxBadSteps in a row the run has diverged.</summary>
    private void Skip(string fault, int minibatchSize, long terms, RoundTiming timing, IEnumerable<string> workers)
    {
        _state = _state.Skipped(minibatchSize, terms, timing, workers, TrainingSeconds());
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
        FinishEpoch(state, round.Root.Sums);
    }

    /// <summary>The epoch's line: its training figures over the terms of the steps taken, and the validation set's from <paramref name="validation"/>.</summary>
    private void FinishEpoch(TrainingState state, LossSums? validation)
    {
        var (train, tally, kinds) = (_job.Train, state.Tally, _job.Training.Metrics);
        double trainTerms = train.TotalTerms - (train.SampleTerms is null ? (long)tally.SkippedSamples * train.TargetsPerSample : tally.SkippedTerms);
        var named = Metrics.Values(kinds, tally.Sums, trainTerms, Metrics.Name);
        if (validation is { } sums) named = named.Concat(Metrics.Values(kinds, sums, _job.Validation!.TotalTerms, Metrics.ValidationName));
        var metrics = new EpochMetrics(
            Epoch: state.Epoch + 1,
            Loss: tally.Sums.Loss / trainTerms,
            ValLoss: validation is { } v ? v.Loss / _job.Validation!.TotalTerms : null,
            SeqPerSec: train.Samples / (tally.TrainingMs / 1000.0),
            Workers: tally.Workers.Count,
            ElapsedSec: TrainingSeconds(),
            MsPerStep: tally.Rounds == 0 ? 0 : tally.TrainingMs / tally.Rounds,
            SyncMsPerRound: tally.Rounds == 0 ? 0 : tally.SyncMs / tally.Rounds,
            SkippedSteps: tally.SkippedSteps,
            Metrics: kinds.Count == 0 ? null : new Dictionary<string, double>(named),
            LearningRate: _job.Training.Schedule is null ? null : RateOf(state.Epoch, state.Step - 1, state.Plateau));
        var plateau = LearningRateSchedule.AfterEpoch(_job.Training.OptimizerOrDefault.LearningRate, _job.Training.Schedule, state.Plateau,
            _job.Training.Schedule is { Type: ScheduleKind.Plateau } schedule ? Figure(metrics, schedule.Monitor) : 0);
        var stopping = _job.Training.EarlyStopping is { } early
            ? EarlyStopping.AfterEpoch(early, state.Stopping, metrics.Epoch, Figure(metrics, early.Monitor), state.Weights)
            : state.Stopping;
        _state = state.EpochEnded(metrics) with { Plateau = plateau, Stopping = stopping };
        if (stopping.StoppedEpoch is { } stopped)
            _log.Info("early stopping after epoch {0}: {1} has not improved for {2} epochs (best: epoch {3})", stopped, _job.Training.EarlyStopping!.Monitor, stopping.Wait, stopping.BestEpoch);
        (_plan, _nextPlan) = (_nextPlan, null);
        _client.Tell(new EpochCompleted(metrics));
        if (_settings.Checkpoints is not null) Checkpoint();
        NextRound();
    }

    /// <summary>The figure of an epoch a monitor names (validated against what the run logs when the config was read).</summary>
    private static double Figure(EpochMetrics metrics, string name) => name switch
    {
        "loss" => metrics.Loss,
        "valLoss" => metrics.ValLoss ?? double.NaN,
        _ => metrics.Metrics?.GetValueOrDefault(name, double.NaN) ?? double.NaN,
    };

    /// <summary>The workers hear that the job is over only when the session lets them go, once its results are kept (<see cref="TrainingFinished"/>).</summary>
    private void Finish()
    {
        var (workers, finished) = (_workers.All.ToList(), new JobFinished(_jobId));
        _client.Tell(new TrainingFinished(_state, _timings.ToList(), () => workers.ForEach(worker => worker.Tell(finished))));
        End();
    }

    /// <summary>SIGTERM or Ctrl+C: whatever the round in flight had done is dropped; the last step's state is kept.</summary>
    private void Stop()
    {
        _client.Tell(new TrainingStopped(_state, _state.Step == 0 || _settings.Checkpoints is null ? null : Checkpoint()));
        End();
    }

    /// <summary>This node is leaving the cluster against the run's will: the last step's state is kept, and the run fails.</summary>
    private void LoseCluster(ClusterLost lost)
    {
        _client.Tell(new TrainingFailed(new ClusterLostException(lost.Reason), CheckpointAfterFailure()));
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
        _client.Tell(new WorkerArrived(worker.Path.ToString(), NodeOf(worker), _workers.Count));
        return true;
    }

    private bool RemoveWorker(IActorRef worker)
    {
        if (!_workers.Remove(worker)) return false;
        _client.Tell(new WorkerLeft(worker.Path.ToString(), NodeOf(worker), _workers.Count));
        return true;
    }

    /// <summary>Once the job started, losing the last worker starts the deadline for a new one to be ready; false when the worker was not known.</summary>
    private bool RemoveStartedWorker(IActorRef worker)
    {
        if (!RemoveWorker(worker)) return false;
        if (_workers.HasReady) return true;
        _client.Tell(new WaitingForWorkers(_workers.Count, 1));
        Timers.StartSingleTimer(nameof(WorkersLostDeadline), WorkersLostDeadline.Instance, _settings.WorkersLostDeadline);
        return true;
    }

    private void FailIfNoWorkers()
    {
        if (_workers.HasReady) return;
        var refusal = _jobRefusal is null ? "" : $" ({_jobRefusal})";
        throw new TimeoutException($"all workers lost: none ready for {_settings.WorkersLostDeadline.TotalSeconds:0} s, at epoch {_state.Epoch + 1}, step {_state.Step}{refusal}");
    }

    private void ReportWaiting() => _client.Tell(new WaitingForWorkers(_workers.Count, _settings.MinWorkers));

    private static IEnumerable<string> Names(IEnumerable<IActorRef> workers) => workers.Select(w => w.Path.ToString());

    private static string NodeOf(IActorRef worker) => worker.Path.Address.ToString();

    private bool IsThisJob(IProtocolMessage message) => message.JobId == _jobId;

    private bool IsThisRound(IRoundMessage message) => message.JobId == _jobId && _round?.Id == message.RoundId;
}
