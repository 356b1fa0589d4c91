using Akka.Actor;
using Akka.Event;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// Runs one training job over whatever workers are there: waits for enough of them, ships the dataset to each,
/// then for every minibatch broadcasts the weights, gives each worker a contiguous run of gradient groups,
/// finishes the reduction tree from their partial sums, clips, and steps the optimizer; at each epoch's end it
/// shards the validation set the same way and reports the epoch's metrics to the client.
/// States: WaitingForWorkers → DistributingData → Training → Done.
/// </summary>
public sealed class CoordinatorActor : ReceiveActor, IWithTimers
{
    private readonly TrainingJob _job;
    private readonly IActorRef _client;
    private readonly int _minWorkers;
    private readonly TimeSpan _workersLostDeadline;
    private readonly StartJob _start;
    private readonly Optimizer _optimizer;
    private readonly float[] _weights;
    private readonly List<(IActorRef Worker, WorkerSlot Slot)> _workers = new();
    private readonly List<RoundTiming> _timings = new();
    private readonly List<EpochMetrics> _history = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly long _jobStarted = Environment.TickCount64;

    private int _epoch, _minibatch;
    private long _step, _nextRoundId;
    private double _epochLossSum;
    private EpochPlan? _plan;
    private Round? _round;
    private bool _validating;
    private int _roundWorkers;
    private double _epochTrainingMs;
    private int _epochRounds;
    private double _epochSyncMs;
    private long _weightChunksVersion = -1;
    private List<WeightsChunk> _weightChunks = new();

    private sealed class WorkerSlot
    {
        public bool HasData;
        public long WeightsVersion = -1;
    }

    /// <summary>How long a started job waits for a worker once it has none left, before it fails.</summary>
    public static readonly TimeSpan DefaultWorkersLostDeadline = TimeSpan.FromSeconds(60);

    private sealed record WorkersLostDeadline
    {
        public static readonly WorkersLostDeadline Instance = new();
    }

    public CoordinatorActor(TrainingJob job, IActorRef client, int minWorkers, TimeSpan? workersLostDeadline = null)
    {
        _workersLostDeadline = workersLostDeadline ?? DefaultWorkersLostDeadline;
        _job = job;
        _client = client;
        _minWorkers = System.Math.Max(1, minWorkers);
        _start = new StartJob(Guid.NewGuid(), job.Model, job.Training, new DataShape(
            job.Train.Samples, job.Validation?.Samples ?? 0, job.Train.Timesteps, job.Train.InputSize, job.Train.TargetsPerSample));
        _weights = (float[])job.InitialWeights.Clone();
        _optimizer = Optimizer.Create(job.Training.OptimizerOrDefault, _weights.Length);
        WaitingForWorkers();
    }

    public static Props Props(TrainingJob job, IActorRef client, int minWorkers, TimeSpan? workersLostDeadline = null)
        => Akka.Actor.Props.Create(() => new CoordinatorActor(job, client, minWorkers, workersLostDeadline));

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The run's position as data: the final state a finished run hands back.</summary>
    private TrainingState Snapshot() => new(_epoch, _minibatch, _step, (float[])_weights.Clone(), _optimizer.State, _epochLossSum, _history.ToList());

    private void WaitingForWorkers()
    {
        Receive<WorkerJoined>(joined =>
        {
            AddWorker(joined.Worker);
            if (_workers.Count < _minWorkers) return;
            foreach (var (worker, _) in _workers) SendJob(worker);
            Become(DistributingData);
        });
        Receive<Terminated>(terminated => RemoveWorker(terminated.ActorRef));
    }

    private void DistributingData()
    {
        Receive<WorkerJoined>(joined => { if (AddWorker(joined.Worker)) SendJob(joined.Worker); });
        Receive<Terminated>(terminated => RemoveStartedWorker(terminated.ActorRef));
        Receive<WorkersLostDeadline>(_ => FailIfNoWorkers());
        Receive<DataReceived>(IsThisJob, received =>
        {
            if (!MarkHasData(Sender) || ReadyWorkers().Count() < _minWorkers) return;
            Become(Training);
            NextRound();
        });
    }

    private void Training()
    {
        Receive<WorkerJoined>(joined => { if (AddWorker(joined.Worker)) SendJob(joined.Worker); });
        Receive<Terminated>(terminated =>
        {
            var request = _round?.Release(terminated.ActorRef);
            RemoveStartedWorker(terminated.ActorRef);
            if (request is null) return;
            _log.Warning("worker {0} left during round {1}; its shard goes to another worker", terminated.ActorRef.Path, _round!.Id);
            _round.Defer(request);
            DispatchDeferred();
        });
        Receive<DataReceived>(IsThisJob, _ => { if (MarkHasData(Sender)) DispatchDeferred(); });
        Receive<WorkersLostDeadline>(_ => FailIfNoWorkers());
        Receive<GradientChunk>(chunk => IsThisRound(chunk.JobId, chunk.RoundId), chunk => _round!.AddChunk(Sender, chunk));
        Receive<GradientsComputed>(done => IsThisRound(done.JobId, done.RoundId) && !_validating, done =>
        {
            if (_round!.Complete(Sender, done.Partials, done.ComputeMs, withGradients: true) && _round.IsComplete)
                FinishTrainingRound();
        });
        Receive<ValidationLossComputed>(done => IsThisRound(done.JobId, done.RoundId) && _validating, done =>
        {
            if (_round!.Complete(Sender, done.Partials, done.ComputeMs, withGradients: false) && _round.IsComplete)
                FinishEpoch(_round.Root.Loss / ((double)_job.Validation!.Samples * _job.Validation.TargetsPerSample));
        });
        Receive<ShardFailed>(failed => IsThisRound(failed.JobId, failed.RoundId), Fail);
        Receive<IProtocolMessage>(message => _log.Debug("ignored {0}: not of this job's current round", message.GetType().Name));
    }

    private void Fail(ShardFailed failed)
        => throw new InvalidOperationException($"worker {Sender.Path} could not compute its shard of round {failed.RoundId}: {failed.Error}");

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
            _client.Tell(new TrainingFailed(e));
            Become(Done);
            Context.Stop(Self);
            return true;
        }
    }

    private void NextRound()
    {
        if (_epoch >= _job.Training.Epochs)
        {
            foreach (var (worker, _) in _workers) worker.Tell(new JobFinished(_start.JobId));
            _client.Tell(new TrainingFinished(Snapshot(), _timings.ToList()));
            Become(Done);
            Context.Stop(Self);
            return;
        }
        _plan ??= new EpochPlan(_job.Train.Samples, _job.Training.BatchSize, _job.Training.Shuffle, _job.Training.Seed, _epoch);
        if (_minibatch < _plan.MinibatchCount) StartTrainingRound(_plan.Minibatch(_minibatch));
        else if (_job.Validation is { Samples: > 0 }) StartValidationRound();
        else FinishEpoch(null);
    }

    private void StartTrainingRound(ReadOnlySpan<int> minibatch)
    {
        int groupSize = _job.Training.GroupSize;
        int groupCount = EpochPlan.GroupCount(minibatch.Length, groupSize);
        _validating = false;
        var requests = new List<IProtocolMessage>();
        long roundId = _nextRoundId++;
        foreach (var (first, end) in ShardPlanner.Plan(groupCount, System.Math.Max(1, ReadyWorkers().Count())))
        {
            var ids = minibatch[(first * groupSize)..System.Math.Min(end * groupSize, minibatch.Length)].ToArray();
            requests.Add(new ComputeGradients(_start.JobId, roundId, _epoch, _step, minibatch.Length, groupCount, first, end, ids));
        }
        Dispatch(new Round(roundId, groupCount, _weights.Length), requests);
    }

    private void StartValidationRound()
    {
        int groupCount = EpochPlan.GroupCount(_job.Validation!.Samples, _job.Training.GroupSize);
        _validating = true;
        long roundId = _nextRoundId++;
        var requests = ShardPlanner.Plan(groupCount, System.Math.Max(1, ReadyWorkers().Count()))
            .Select(s => (IProtocolMessage)new ComputeValidationLoss(_start.JobId, roundId, _step, groupCount, s.First, s.End))
            .ToList();
        Dispatch(new Round(roundId, groupCount, 0), requests);
    }

    private void Dispatch(Round round, List<IProtocolMessage> requests)
    {
        _round = round;
        foreach (var request in requests) round.Defer(request);
        _roundWorkers = 0;
        DispatchDeferred();
    }

    /// <summary>Gives each waiting request of the round to a ready worker that holds none, sending it the weights first.</summary>
    private void DispatchDeferred()
    {
        if (_round is null) return;
        foreach (var (worker, slot) in _workers.Where(w => w.Slot.HasData).ToList())
        {
            if (!_round.HasUnassigned) return;
            if (_round.Holds(worker)) continue;
            SendWeights(worker, slot);
            var request = _round.TakeUnassigned();
            _round.Assign(worker, request);
            worker.Tell(request);
            _roundWorkers++;
        }
    }

    private void FinishTrainingRound()
    {
        var round = _round!;
        var (gradient, loss) = round.Root;
        if (_job.Training.ClipNorm > 0) GradientClipping.ClipGlobalNorm(gradient, _job.Training.ClipNorm);
        _optimizer.Step(_weights, gradient);
        _step++;
        _minibatch++;
        _epochLossSum += loss;
        var timing = new RoundTiming(round.ElapsedMs, round.SlowestComputeMs);
        _timings.Add(timing);
        _epochTrainingMs += timing.RoundMs;
        _epochSyncMs += timing.RoundMs - timing.SlowestComputeMs;
        _epochRounds++;
        _round = null;
        int minibatchSize = _plan!.Minibatch(_minibatch - 1).Length;
        double meanLoss = loss / ((double)minibatchSize * _job.Train.TargetsPerSample);
        _client.Tell(new StepCompleted(new StepProgress(_epoch + 1, _minibatch, _plan.MinibatchCount, meanLoss, _roundWorkers)));
        NextRound();
    }

    private void FinishEpoch(double? validationLoss)
    {
        _round = null;
        var train = _job.Train;
        double trainingSec = _epochTrainingMs / 1000.0;
        var metrics = new EpochMetrics(
            Epoch: _epoch + 1,
            Loss: _epochLossSum / ((double)train.Samples * train.TargetsPerSample),
            ValLoss: validationLoss,
            SeqPerSec: train.Samples / trainingSec,
            Workers: _roundWorkers,
            ElapsedSec: (Environment.TickCount64 - _jobStarted) / 1000.0,
            MsPerStep: _epochRounds == 0 ? 0 : _epochTrainingMs / _epochRounds,
            SyncMsPerRound: _epochRounds == 0 ? 0 : _epochSyncMs / _epochRounds);
        _history.Add(metrics);
        _client.Tell(new EpochCompleted(metrics));
        (_epoch, _minibatch, _epochLossSum, _plan) = (_epoch + 1, 0, 0, null);
        (_epochTrainingMs, _epochRounds, _epochSyncMs) = (0, 0, 0);
        NextRound();
    }

    private void SendJob(IActorRef worker)
    {
        worker.Tell(_start);
        SendData(worker, DataPart.TrainX, _job.Train.X);
        SendData(worker, DataPart.TrainY, _job.Train.Y);
        if (_job.Validation is null) return;
        SendData(worker, DataPart.ValidationX, _job.Validation.X);
        SendData(worker, DataPart.ValidationY, _job.Validation.Y);
    }

    private void SendData(IActorRef worker, DataPart part, float[] values)
    {
        foreach (var (offset, chunk) in TensorChunks.Split(values))
            worker.Tell(new DataChunk(_start.JobId, part, offset, chunk));
    }

    private void SendWeights(IActorRef worker, WorkerSlot slot)
    {
        if (slot.WeightsVersion == _step) return;
        if (_weightChunksVersion != _step)
        {
            _weightChunks = TensorChunks.Split(_weights).Select(c => new WeightsChunk(_start.JobId, _step, c.Offset, c.Values)).ToList();
            _weightChunksVersion = _step;
        }
        foreach (var chunk in _weightChunks) worker.Tell(chunk);
        slot.WeightsVersion = _step;
    }

    private bool AddWorker(IActorRef worker)
    {
        if (_workers.Any(w => w.Worker.Equals(worker))) return false;
        _workers.Add((worker, new WorkerSlot()));
        Context.Watch(worker);
        return true;
    }

    private void RemoveWorker(IActorRef worker) => _workers.RemoveAll(w => w.Worker.Equals(worker));

    /// <summary>Once the job started, losing the last worker starts the deadline for a new one to be ready.</summary>
    private void RemoveStartedWorker(IActorRef worker)
    {
        RemoveWorker(worker);
        if (!ReadyWorkers().Any()) Timers.StartSingleTimer(nameof(WorkersLostDeadline), WorkersLostDeadline.Instance, _workersLostDeadline);
    }

    private void FailIfNoWorkers()
    {
        if (!ReadyWorkers().Any())
            throw new TimeoutException($"all workers lost: none ready for {_workersLostDeadline.TotalSeconds:0} s, at epoch {_epoch + 1}, step {_step}");
    }

    private bool MarkHasData(IActorRef worker)
    {
        var slot = _workers.FirstOrDefault(w => w.Worker.Equals(worker)).Slot;
        if (slot is null || slot.HasData) return false;
        slot.HasData = true;
        return true;
    }

    private IEnumerable<IActorRef> ReadyWorkers() => _workers.Where(w => w.Slot.HasData).Select(w => w.Worker);

    private bool IsThisJob(DataReceived received) => received.JobId == _start.JobId;

    private bool IsThisRound(Guid jobId, long roundId) => jobId == _start.JobId && _round?.Id == roundId;
}
