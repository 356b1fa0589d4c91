using Akka.Actor;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// Stands for the caller of a training session inside the actor system: passes each epoch's metrics to the
/// caller's progress sink and completes the caller's task when the coordinator finishes or fails.
/// </summary>
internal sealed class SessionClientActor : ReceiveActor
{
    public SessionClientActor(IProgress<EpochMetrics>? progress, TaskCompletionSource<TrainingResult> completion)
    {
        Receive<EpochCompleted>(epoch => progress?.Report(epoch.Metrics));
        Receive<TrainingFinished>(done => completion.TrySetResult(new TrainingResult(done.State, done.Rounds)));
        Receive<TrainingFailed>(failed => completion.TrySetException(failed.Cause));
    }

    public static Props Props(IProgress<EpochMetrics>? progress, TaskCompletionSource<TrainingResult> completion)
        => Akka.Actor.Props.Create(() => new SessionClientActor(progress, completion));
}
