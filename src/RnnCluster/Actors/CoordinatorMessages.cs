using Akka.Actor;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Actors;

// The coordinator's side door, inside its own process: who may work (from the local host or from cluster
// membership), when to stop, and what it tells the caller that started the job. None of these cross the network.

/// <summary>A worker actor that can take part in the job; the coordinator watches it and drops it when it dies.</summary>
internal sealed record WorkerJoined(IActorRef Worker) : INoSerializationVerificationNeeded;

/// <summary>
/// The failure detector finds <see cref="Worker"/>'s node unreachable: the coordinator gives its shard to a
/// live worker at once and sends it nothing more until it is reachable again (or downed, see
/// <see cref="Cluster.WorkerDowningActor"/>).
/// </summary>
internal sealed record WorkerUnreachable(IActorRef Worker) : INoSerializationVerificationNeeded;

/// <summary>An unreachable worker's node answers heartbeats again: it takes work again.</summary>
internal sealed record WorkerReachable(IActorRef Worker) : INoSerializationVerificationNeeded;

/// <summary>The worker's node was downed: it is gone for good, as if it had died, even before the cluster removes it.</summary>
internal sealed record WorkerDowned(IActorRef Worker) : INoSerializationVerificationNeeded;

/// <summary>
/// This node is leaving the cluster without having been asked to (it was downed, or its cluster ended under
/// it): the coordinator checkpoints and fails the run, saying <see cref="Reason"/>.
/// </summary>
internal sealed record ClusterLost(string Reason) : INoSerializationVerificationNeeded;

/// <summary>Stop the run where it is (SIGTERM, Ctrl+C): the round in flight is dropped, the state checkpointed.</summary>
internal sealed record StopTraining : INoSerializationVerificationNeeded
{
    public static readonly StopTraining Instance = new();
}

/// <summary>Training cannot go on until <see cref="Needed"/> workers are ready; <see cref="Joined"/> are there now.</summary>
internal sealed record WaitingForWorkers(int Joined, int Needed) : INoSerializationVerificationNeeded;

/// <summary>
/// A worker joined the job: <see cref="Worker"/> is its actor path (what tells local workers apart),
/// <see cref="Address"/> its node; <see cref="Workers"/> are known now.
/// </summary>
internal sealed record WorkerArrived(string Worker, string Address, int Workers) : INoSerializationVerificationNeeded;

/// <summary>A worker left or died; <see cref="Workers"/> remain.</summary>
internal sealed record WorkerLeft(string Worker, string Address, int Workers) : INoSerializationVerificationNeeded;

/// <summary>A worker (<see cref="Address"/> is its node) became unreachable; <see cref="Reachable"/> of <see cref="Workers"/> are reachable now.</summary>
internal sealed record WorkerLost(string Address, int Reachable, int Workers) : INoSerializationVerificationNeeded;

/// <summary>An unreachable worker is reachable again and takes work again.</summary>
internal sealed record WorkerBack(string Address, int Reachable, int Workers) : INoSerializationVerificationNeeded;

/// <summary>A shard was given to other workers: its holder was lost, unreachable or late.</summary>
internal sealed record ShardReissued(ShardReissue Reissue) : INoSerializationVerificationNeeded;

/// <summary>A training step ended; <see cref="Round"/> says how its round went.</summary>
internal sealed record StepCompleted(StepProgress Progress, RoundReport Round) : INoSerializationVerificationNeeded;

/// <summary>A checkpoint of the state at <see cref="Step"/> was written to <see cref="Path"/>.</summary>
internal sealed record CheckpointSaved(string Path, long Step) : INoSerializationVerificationNeeded;

/// <summary>A training step was skipped: its loss, gradient or update was not finite.</summary>
internal sealed record StepSkipped(SkippedStep Skip) : INoSerializationVerificationNeeded;

/// <summary>The worker at <see cref="Address"/> refused the job: it cannot hold it, for <see cref="Reason"/>.</summary>
internal sealed record WorkerRefusedJob(string Address, string Reason) : INoSerializationVerificationNeeded;

/// <summary>
/// A message between the coordinator and the worker at <see cref="Address"/> did not fit and was refused, by
/// either side; <see cref="Description"/> says which, why, and what became of the worker's shard.
/// </summary>
internal sealed record MessageRefusedNote(string Address, string Description) : INoSerializationVerificationNeeded;

/// <summary>An epoch ended: its line of `metrics.jsonl`.</summary>
internal sealed record EpochCompleted(EpochMetrics Metrics) : INoSerializationVerificationNeeded;

/// <summary>The run ended: the final state (its weights are the model) and the time of every training round.</summary>
/// <param name="State">The state the run ended in.</param>
/// <param name="Rounds">The time of every training round.</param>
/// <param name="ReleaseWorkers">Tells the workers the job is over: a worker run with --once then exits.</param>
internal sealed record TrainingFinished(TrainingState State, IReadOnlyList<RoundTiming> Rounds, Action ReleaseWorkers) : INoSerializationVerificationNeeded;

/// <summary>The run was stopped at <see cref="State"/>, saved as <see cref="Checkpoint"/> (null without checkpoints or before the first step).</summary>
internal sealed record TrainingStopped(TrainingState State, string? Checkpoint) : INoSerializationVerificationNeeded;

/// <summary>The run stopped on an error; <see cref="Cause"/> is the exception as thrown, <see cref="Checkpoint"/> the last one written.</summary>
internal sealed record TrainingFailed(Exception Cause, string? Checkpoint) : INoSerializationVerificationNeeded;

/// <summary>The data plane found the node at <paramref name="Endpoint"/> gone: a connection to it ended and its port refuses new ones.</summary>
internal sealed record DataPlanePeerGone(string Endpoint) : INoSerializationVerificationNeeded;
