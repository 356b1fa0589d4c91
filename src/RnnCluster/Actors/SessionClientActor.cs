using Akka.Actor;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// Stands for the caller of a training session inside the actor system: passes what the coordinator reports to
/// the caller's observer, and completes the caller's task when the coordinator finishes, stops or fails.
/// </summary>
internal sealed class SessionClientActor : ReceiveActor
{
    public SessionClientActor(ISessionObserver observer, TaskCompletionSource<TrainingResult> completion)
    {
        Receive<WaitingForWorkers>(waiting => observer.WaitingForWorkers(waiting.Joined, waiting.Needed));
        Receive<WorkerArrived>(arrived => observer.WorkerArrived(arrived.Worker, arrived.Address, arrived.Workers));
        Receive<WorkerLeft>(left => observer.WorkerLeft(left.Worker, left.Address, left.Workers));
        Receive<WorkerLost>(lost => observer.WorkerLost(lost.Address, lost.Reachable, lost.Workers));
        Receive<WorkerBack>(back => observer.WorkerBack(back.Address, back.Reachable, back.Workers));
        Receive<ShardReissued>(reissued => observer.ShardReissued(reissued.Reissue));
        Receive<StepCompleted>(step =>
        {
            observer.RoundDone(step.Round);
            observer.StepDone(step.Progress);
        });
        Receive<CheckpointSaved>(written => observer.CheckpointWritten(written.Path, written.Step));
        Receive<StepSkipped>(skipped => observer.StepSkipped(skipped.Skip));
        Receive<WorkerRefusedJob>(refused => observer.WorkerRefusedJob(refused.Address, refused.Reason));
        Receive<MessageRefusedNote>(refused => observer.MessageRefused(refused.Address, refused.Description));
        Receive<EpochCompleted>(epoch => observer.EpochDone(epoch.Metrics));
        Receive<TrainingFinished>(done => completion.TrySetResult(new TrainingResult(done.State, done.Rounds) { ReleaseWorkers = done.ReleaseWorkers }));
        Receive<TrainingStopped>(stopped => completion.TrySetException(new TrainingStoppedException(stopped.State, stopped.Checkpoint)));
        Receive<TrainingFailed>(failed => completion.TrySetException(new TrainingFailedException(failed.Cause, failed.Checkpoint)));
    }

    public static Props Props(ISessionObserver observer, TaskCompletionSource<TrainingResult> completion)
        => Akka.Actor.Props.Create(() => new SessionClientActor(observer, completion));
}
