using System.Text.Json;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Dashboard;

/// <summary>
/// What the page shows of a run, built from the run's events. The session's observer applies each event in a
/// few microseconds under a lock that no network write ever holds; each open page asks for what changed since
/// it last looked (<see cref="UpdateSince"/>). So a slow browser only gets bigger updates, and the run never
/// waits for one.
/// </summary>
internal sealed class DashboardState(TimeProvider clock)
{
    public const int StepsKept = 3000;
    public const int RoundsKept = 300;
    public const int EpochsKept = 10_000;
    /// <summary>The run folder keeps only its newest few checkpoints; the page lists about as many.</summary>
    public const int CheckpointsKept = 10;

    private readonly object gate = new();
    private readonly List<WorkerView> workers = new();
    private readonly RecentItems<StepPoint> steps = new(StepsKept);
    private readonly RecentItems<RoundPoint> rounds = new(RoundsKept);
    private readonly RecentItems<EpochMetrics> epochs = new(EpochsKept);
    private readonly RecentItems<CheckpointEntry> checkpoints = new(CheckpointsKept);
    private RunInfo? run;
    private string status = "starting";
    private string? detail;
    private int epoch;
    private long step;
    private long version;
    private TaskCompletionSource? changed;

    public void Apply(RunEvent e)
    {
        lock (gate)
        {
            switch (e)
            {
                case RunDescribed d:
                    run = new RunInfo(d.Mode, d.Seed, d.OutDir, d.Epochs, EpochPlan.MinibatchesOf(d.TrainSamples, d.BatchSize), d.BatchSize,
                        clock.GetUtcNow(), d.Config);
                    foreach (var earlier in d.Earlier) epochs.Add(earlier);
                    break;
                case AwaitingWorkers w:
                    (status, detail) = ("waiting", $"{w.Joined} of {w.Needed} workers ready");
                    break;
                case WorkerUp up:
                    Worker(up.Id, up.Address).Up = true;
                    break;
                case WorkerDown down:
                    if (workers.Find(w => w.Id == down.Id) is { } gone) gone.Up = false;
                    break;
                case RoundTimed round:
                    rounds.Add(new RoundPoint(rounds.Last + 1, round.RoundMs, round.ComputeMs, round.SyncMs));
                    foreach (var share in round.Round.Shares) Worker(share.Worker, address: null).Took(share, round.RoundMs);
                    break;
                case StepTaken taken:
                    var s = taken.Step;
                    (status, detail, epoch) = ("training", null, s.Epoch);
                    step = (long)(s.Epoch - 1) * s.Minibatches + s.Minibatch;
                    steps.Add(new StepPoint(step, s.Epoch, s.Loss));
                    break;
                case EpochEnded ended:
                    epochs.Add(ended.Metrics);
                    break;
                case CheckpointWritten written:
                    checkpoints.Add(new CheckpointEntry(written.Path, written.Step, clock.GetUtcNow()));
                    break;
                case RunEnded ended:
                    (status, detail) = (ended.Outcome.ToString().ToLowerInvariant(), ended.Detail);
                    break;
            }
            version++;
            changed?.TrySetResult();
            changed = null;
        }
    }

    /// <summary>
    /// What changed since <paramref name="cursor"/>, and the cursor to ask with next time. A fresh cursor gets
    /// everything kept, marked <see cref="DashboardUpdate.Full"/>: a page that reconnects starts over from it.
    /// </summary>
    public (DashboardUpdate Update, StreamCursor Next) UpdateSince(StreamCursor cursor)
    {
        lock (gate)
        {
            // A page that connected before the run was described gets it with the first update after.
            var update = new DashboardUpdate(
                cursor == StreamCursor.Fresh,
                cursor.RunSent ? null : run,
                status,
                detail,
                epoch,
                step,
                workers.Select(w => w.Row()).ToList(),
                steps.After(cursor.Steps),
                rounds.After(cursor.Rounds),
                epochs.After(cursor.Epochs),
                checkpoints.After(cursor.Checkpoints));
            return (update, new StreamCursor(version, run is not null, steps.Last, rounds.Last, epochs.Last, checkpoints.Last));
        }
    }

    /// <summary>Completes once the state has changed after the update that gave <paramref name="cursor"/>.</summary>
    public Task ChangedSince(StreamCursor cursor)
    {
        lock (gate)
        {
            if (version != cursor.Version) return Task.CompletedTask;
            // Continuations run on the thread pool, never on the training thread that applied the event.
            changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return changed.Task;
        }
    }

    private WorkerView Worker(string id, string? address)
    {
        var worker = workers.Find(w => w.Id == id);
        if (worker is null) workers.Add(worker = new WorkerView(id, address ?? id, clock.GetUtcNow()));
        return worker;
    }

    /// <summary>One worker as seen so far; rows of workers that left stay, marked down.</summary>
    private sealed class WorkerView(string id, string address, DateTimeOffset joined)
    {
        /// <summary>
        /// Each round's samples and compute time count this much less at every later round: the throughput
        /// follows the last few rounds, so a worker that slows down shows it within seconds.
        /// </summary>
        private const double Decay = 0.8;

        private double decayedSamples, decayedSeconds;
        private long rounds, samples;
        private double lastComputeMs, lastRoundMs;
        private int lastSamples;

        public string Id => id;

        public bool Up { get; set; }

        public void Took(WorkerShare share, double roundMs)
        {
            decayedSamples = decayedSamples * Decay + share.Samples;
            decayedSeconds = decayedSeconds * Decay + share.ComputeMs / 1000.0;
            (rounds, samples) = (rounds + 1, samples + share.Samples);
            (lastComputeMs, lastRoundMs, lastSamples) = (share.ComputeMs, roundMs, share.Samples);
        }

        public WorkerRow Row() => new(id, address, Up, joined, rounds, samples, lastSamples, lastComputeMs, lastRoundMs,
            decayedSeconds > 0 ? decayedSamples / decayedSeconds : 0);
    }
}

/// <summary>How far a page's stream has read: the state's version and the last item of each list it got.</summary>
internal readonly record struct StreamCursor(long Version, bool RunSent, long Steps, long Rounds, long Epochs, long Checkpoints)
{
    public static readonly StreamCursor Fresh = new(-1, false, 0, 0, 0, 0);
}

/// <summary>The run's fixed facts: mode (and the seed address in cluster mode), folder, length, config.</summary>
internal sealed record RunInfo(string Mode, string? Seed, string OutDir, int Epochs, int Minibatches, int BatchSize, DateTimeOffset StartedAt, JsonElement Config);

/// <summary>A minibatch's mean loss at global step <see cref="Step"/> (counted from 1).</summary>
internal sealed record StepPoint(long Step, int Epoch, double Loss);

/// <summary>A training round's time, split into the slowest worker's compute and the rest (sync).</summary>
internal sealed record RoundPoint(long Round, double RoundMs, double ComputeMs, double SyncMs);

internal sealed record CheckpointEntry(string Path, long Step, DateTimeOffset WrittenAt);

/// <summary>
/// A worker's line on the page: its last round (samples, own compute, the round's whole time) and its
/// throughput in samples per second of compute over its last few rounds.
/// </summary>
internal sealed record WorkerRow(string Id, string Address, bool Up, DateTimeOffset JoinedAt, long Rounds, long Samples,
    int LastSamples, double LastComputeMs, double LastRoundMs, double SamplesPerSec);

/// <summary>One message of a page's stream: the current figures, and the items of each list added since the last one.</summary>
internal sealed record DashboardUpdate(
    bool Full,
    RunInfo? Run,
    string Status,
    string? Detail,
    int Epoch,
    long Step,
    IReadOnlyList<WorkerRow> Workers,
    IReadOnlyList<StepPoint> Steps,
    IReadOnlyList<RoundPoint> Rounds,
    IReadOnlyList<EpochMetrics> Epochs,
    IReadOnlyList<CheckpointEntry> Checkpoints);
