using System.Text.Json;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Dashboard;

// What the dashboard hears of a run, in the order it happens. Events go one way, from the session's observer
// to the dashboard's state and metrics; nothing the page or a scraper does reaches back into training.

/// <summary>Something that happened in the run.</summary>
internal abstract record RunEvent;

/// <summary>
/// The run as it starts: <see cref="Local"/> or <see cref="Cluster"/>, its output folder, its length, the
/// config as given, <see cref="BatchSize"/> and <see cref="TrainSamples"/> (which say how many steps an epoch
/// takes), the epochs a resumed run had done before, and in cluster mode the seed address workers join.
/// </summary>
internal sealed record RunDescribed(string Mode, string OutDir, int Epochs, int TrainSamples, int BatchSize, JsonElement Config,
    IReadOnlyList<EpochMetrics> Earlier, string? Seed = null) : RunEvent
{
    public const string Local = "local";
    public const string Cluster = "cluster";
}

/// <summary>Training waits until <see cref="Needed"/> workers are there; <see cref="Joined"/> are.</summary>
internal sealed record AwaitingWorkers(int Joined, int Needed) : RunEvent;

/// <summary>A worker joined the run. <see cref="Id"/> tells workers apart (its actor path); <see cref="Address"/> is its node.</summary>
internal sealed record WorkerUp(string Id, string Address) : RunEvent;

/// <summary>A worker left the run or died.</summary>
internal sealed record WorkerDown(string Id) : RunEvent;

/// <summary>A training round ended: its whole time, and each worker's share of it (samples and compute time).</summary>
internal sealed record RoundTimed(RoundReport Round) : RunEvent
{
    public double RoundMs => Round.Timing.RoundMs;

    /// <summary>The slowest worker's compute: the part of the round no faster network could shorten.</summary>
    public double ComputeMs => Round.Timing.SlowestComputeMs;

    /// <summary>The rest: sending weights and gradients, finishing the reduction, the optimizer step.</summary>
    public double SyncMs => System.Math.Max(0, RoundMs - ComputeMs);
}

/// <summary>An optimizer step was taken (a minibatch's round ended).</summary>
internal sealed record StepTaken(StepProgress Step) : RunEvent;

/// <summary>An epoch ended: its line of metrics.jsonl.</summary>
internal sealed record EpochEnded(EpochMetrics Metrics) : RunEvent;

/// <summary>A checkpoint was written at <see cref="Step"/>.</summary>
internal sealed record CheckpointWritten(string Path, long Step) : RunEvent;

/// <summary>How a run ended.</summary>
internal enum RunOutcome { Finished, Stopped, Failed }

/// <summary>The run ended; <see cref="Detail"/> says why when it did not finish.</summary>
internal sealed record RunEnded(RunOutcome Outcome, string? Detail) : RunEvent;
