using RnnCluster.Coordinator.Cluster;
using RnnCluster.Shared.Hosting;

namespace RnnCluster;

/// <summary>Where and how <see cref="Sequential"/> trains: local workers (the default) or a cluster, the seed, checkpoints.</summary>
public sealed record FitOptions
{
    /// <summary>Local workers in this process (as <c>rnn-cluster train --workers</c>); the weights are the same bits for any count.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Threads each local worker computes with (<c>--threads</c>).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Train as the coordinator of a cluster instead of on local workers; null: local.</summary>
    public ClusterFit? Cluster { get; init; }

    /// <summary>The seed of the initial weights, the shuffling and dropout (the config's <c>training.seed</c>).</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// A run folder to keep checkpoints in (its <c>checkpoints</c> folder, as <c>train --out</c>); a cancelled fit
    /// writes one there before it stops. Null: no checkpoints.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>A checkpoint every this many steps besides the one at each epoch's end; null: at epoch ends only.</summary>
    public int? CheckpointEverySteps { get; init; }

    /// <summary>
    /// Go on from the newest checkpoint in <see cref="CheckpointDirectory"/> that reads back whole (as <c>rnn-cluster
    /// train --resume</c>): a fit cancelled there, or a process that died, finishes on the same bits as a fit never
    /// stopped. The model, data and training arguments must be the ones it was written by (<c>epochs</c> may be
    /// larger); the history is the whole run's, the epochs before the checkpoint included.
    /// </summary>
    public bool Resume { get; init; }

    internal void Check()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Workers, nameof(Workers));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Threads, nameof(Threads));
        if (CheckpointEverySteps is { } every) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(every, nameof(CheckpointEverySteps));
        if (Resume && CheckpointDirectory is null) throw new ArgumentException("Resume needs the CheckpointDirectory to resume from", "options");
    }
}

/// <summary>
/// This process as the coordinator of a cluster (<c>rnn-cluster train --cluster</c>): where it listens, how others
/// reach it, and how many workers (<c>rnn-worker</c> processes, or applications hosting one through
/// <see cref="WorkerHosting.WithRnnWorker"/>) to wait for.
/// </summary>
/// <param name="Host">The address to listen on.</param>
/// <param name="Port">The port to listen on (0: any free one).</param>
/// <param name="MinWorkers">Workers to wait for before the first step.</param>
/// <param name="PublicHost">The name other nodes reach this one by; null: <paramref name="Host"/>.</param>
public sealed record ClusterFit(string Host, int Port, int MinWorkers = 1, string? PublicHost = null)
{
    internal ClusterOptions ToOptions()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Host, nameof(Host));
        ArgumentOutOfRangeException.ThrowIfNegative(Port, nameof(Port));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MinWorkers, nameof(MinWorkers));
        return new ClusterOptions(new NodeOptions(Host, Port, PublicHost, []), MinWorkers);
    }
}

/// <summary>One finished epoch, as the progress line says it.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Epochs">The epochs of the fit.</param>
/// <param name="Loss">The mean training loss.</param>
/// <param name="ValLoss">The validation loss; null without validation data.</param>
/// <param name="Metrics">The epoch's metrics by their logged names (<c>accuracy</c>, <c>valAccuracy</c>, ...).</param>
/// <param name="Workers">The workers that computed it.</param>
public sealed record EpochProgress(int Epoch, int Epochs, double Loss, double? ValLoss, IReadOnlyDictionary<string, double> Metrics, int Workers);

/// <summary>A fit that was cancelled: <see cref="Checkpoint"/> is where it stopped, when it had a checkpoint folder.</summary>
public sealed class FitCanceledException : OperationCanceledException
{
    internal FitCanceledException(string? checkpoint, CancellationToken token)
        : base(checkpoint is null ? "the fit was cancelled" : $"the fit was cancelled; checkpoint {checkpoint}", null, token) => Checkpoint = checkpoint;

    /// <summary>The checkpoint written as the fit stopped; null without <see cref="FitOptions.CheckpointDirectory"/>.</summary>
    public string? Checkpoint { get; }
}

/// <summary>What each epoch of a fit gave (Keras's <c>History.history</c>): one value an epoch in every list.</summary>
public sealed class History
{
    internal History(IReadOnlyList<double> loss, IReadOnlyList<double>? valLoss, IReadOnlyDictionary<string, IReadOnlyList<double>> metrics)
    {
        Loss = loss;
        ValLoss = valLoss;
        Metrics = metrics;
    }

    /// <summary>The training loss of each epoch.</summary>
    public IReadOnlyList<double> Loss { get; }

    /// <summary>The validation loss of each epoch; null without validation data.</summary>
    public IReadOnlyList<double>? ValLoss { get; }

    /// <summary>Each metric's values by its logged name (<c>accuracy</c>, <c>valAccuracy</c>, ...).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Metrics { get; }

    /// <summary>The learning rate of each epoch's last step, under a schedule or <see cref="ReduceLROnPlateau"/>; null without one.</summary>
    public IReadOnlyList<double>? LearningRate { get; init; }

    /// <summary>With <see cref="EarlyStopping"/>: the best epoch of the monitored figure, from 1 (its weights are the model's when restored).</summary>
    public int? BestEpoch { get; init; }

    /// <summary>With <see cref="EarlyStopping"/>: the epoch the fit stopped after, from 1; null when it ran every epoch.</summary>
    public int? StoppedEpoch { get; init; }
}
