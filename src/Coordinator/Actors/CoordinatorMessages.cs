using Akka.Actor;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Actors;

// The coordinator's side door, inside its own process: who may work (from the local host or from cluster
// membership), and what it tells the caller that started the job. None of these cross the network.

/// <summary>A worker actor that can take part in the job; the coordinator watches it and drops it when it dies.</summary>
public sealed record WorkerJoined(IActorRef Worker) : INoSerializationVerificationNeeded;

/// <summary>An epoch ended: its line of `metrics.jsonl`.</summary>
public sealed record EpochCompleted(EpochMetrics Metrics) : INoSerializationVerificationNeeded;

/// <summary>The run ended: the final state (its weights are the model) and the time of every training round.</summary>
public sealed record TrainingFinished(TrainingState State, IReadOnlyList<RoundTiming> Rounds) : INoSerializationVerificationNeeded;

/// <summary>The run stopped on an error; <see cref="Cause"/> is the exception as thrown.</summary>
public sealed record TrainingFailed(Exception Cause) : INoSerializationVerificationNeeded;
