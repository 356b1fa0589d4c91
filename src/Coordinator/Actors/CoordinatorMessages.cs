using Akka.Actor;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Actors;

// The coordinator's side door, inside its own process: who may work (from the local host or from cluster
// membership), when to stop, and what it tells the caller that started the job. None of these cross the network.

/// <summary>A worker actor that can take part in the job; the coordinator watches it and drops it when it dies.</summary>
public sealed record WorkerJoined(IActorRef Worker) : INoSerializationVerificationNeeded;

/// <summary>Stop the run where it is (SIGTERM, Ctrl+C): the round in flight is dropped, the state checkpointed.</summary>
public sealed record StopTraining : INoSerializationVerificationNeeded
{
    public static readonly StopTraining Instance = new();
}

/// <summary>Training cannot go on until <see cref="Needed"/> workers are ready; <see cref="Joined"/> are there now.</summary>
public sealed record WaitingForWorkers(int Joined, int Needed) : INoSerializationVerificationNeeded;

/// <summary>
/// A worker joined the job: <see cref="Worker"/> is its actor path (what tells local workers apart),
/// <see cref="Address"/> its node; <see cref="Workers"/> are known now.
/// </summary>
public sealed record WorkerArrived(string Worker, string Address, int Workers) : INoSerializationVerificationNeeded;

/// <summary>A worker left or died; <see cref="Workers"/> remain.</summary>
public sealed record WorkerLeft(string Worker, string Address, int Workers) : INoSerializationVerificationNeeded;

/// <summary>A training step ended; <see cref="Round"/> says how its round went.</summary>
public sealed record StepCompleted(StepProgress Progress, RoundReport Round) : INoSerializationVerificationNeeded;

/// <summary>A checkpoint of the state at <see cref="Step"/> was written to <see cref="Path"/>.</summary>
public sealed record CheckpointSaved(string Path, long Step) : INoSerializationVerificationNeeded;

/// <summary>An epoch ended: its line of `metrics.jsonl`.</summary>
public sealed record EpochCompleted(EpochMetrics Metrics) : INoSerializationVerificationNeeded;

/// <summary>The run ended: the final state (its weights are the model) and the time of every training round.</summary>
public sealed record TrainingFinished(TrainingState State, IReadOnlyList<RoundTiming> Rounds) : INoSerializationVerificationNeeded;

/// <summary>The run was stopped at <see cref="State"/>, saved as <see cref="Checkpoint"/> (null without checkpoints or before the first step).</summary>
public sealed record TrainingStopped(TrainingState State, string? Checkpoint) : INoSerializationVerificationNeeded;

/// <summary>The run stopped on an error; <see cref="Cause"/> is the exception as thrown, <see cref="Checkpoint"/> the last one written.</summary>
public sealed record TrainingFailed(Exception Cause, string? Checkpoint) : INoSerializationVerificationNeeded;
