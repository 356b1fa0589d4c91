using Akka.Actor;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Actors;

/// <summary>Where a session reports while it runs; either may be null.</summary>
internal sealed record SessionObservers(IProgress<EpochMetrics>? Epochs, IProgress<StepProgress>? Steps)
{
    public static readonly SessionObservers None = new(null, null);

    /// <summary>One caller's sink for both: it hears steps too when it implements both interfaces.</summary>
    public static SessionObservers Of(IProgress<EpochMetrics>? progress) => new(progress, progress as IProgress<StepProgress>);
}

/// <summary>
/// Stands for the caller of a training session inside the actor system: passes each epoch's metrics to the
/// caller's progress sink and completes the caller's task when the coordinator finishes or fails.
/// </summary>
internal sealed class SessionClientActor : ReceiveActor
{
    public SessionClientActor(SessionObservers observers, TaskCompletionSource<TrainingResult> completion)
    {
        Receive<StepCompleted>(step => observers.Steps?.Report(step.Progress));
        Receive<EpochCompleted>(epoch => observers.Epochs?.Report(epoch.Metrics));
        Receive<TrainingFinished>(done => completion.TrySetResult(new TrainingResult(done.State, done.Rounds)));
        Receive<TrainingFailed>(failed => completion.TrySetException(failed.Cause));
    }

    public static Props Props(SessionObservers observers, TaskCompletionSource<TrainingResult> completion)
        => Akka.Actor.Props.Create(() => new SessionClientActor(observers, completion));
}
