using Prometheus;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Dashboard;

/// <summary>
/// The run's Prometheus metrics, fed by the same events as the page. A registry of its own: the process-wide
/// default one would also carry the runtime's metrics, and every run in a test host would share it.
/// Names follow Prometheus's conventions: base units (seconds), `_total` for counters.
/// </summary>
internal sealed class RunMetrics
{
    /// <summary>From 1 ms to about 65 s, doubling: a round of a tiny model on loopback up to a big one across a network.</summary>
    private static readonly double[] RoundBuckets = Histogram.ExponentialBuckets(0.001, 2, 17);

    private readonly TimeProvider clock;
    private readonly Counter steps, samples, epochs, checkpoints, workerSamples, workerCompute;
    private readonly Gauge epoch, loss, epochLoss, validationLoss, epochMetric, learningRate, workers, checkpointAge;
    private readonly Histogram roundTime, computeTime, syncTime;
    private readonly HashSet<string> workersUp = new();
    /// <summary>When the last checkpoint was written, in ticks of <see cref="clock"/>; 0 before any. Scrapes read it from other threads.</summary>
    private long lastCheckpointTicks;

    public RunMetrics(TimeProvider clock)
    {
        this.clock = clock;
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        var notUntilSet = new GaugeConfiguration { SuppressInitialValue = true };
        var roundHistogram = new HistogramConfiguration { Buckets = RoundBuckets };

        steps = factory.CreateCounter("rnn_steps_total", "Optimizer steps taken (one per minibatch).");
        samples = factory.CreateCounter("rnn_samples_total", "Training samples computed, over all workers.");
        epochs = factory.CreateCounter("rnn_epochs_total", "Epochs finished.");
        epoch = factory.CreateGauge("rnn_epoch", "The epoch being trained, counted from 1.");
        loss = factory.CreateGauge("rnn_loss", "Mean loss of the last minibatch.", notUntilSet);
        epochLoss = factory.CreateGauge("rnn_epoch_loss", "Mean training loss of the last finished epoch.", notUntilSet);
        validationLoss = factory.CreateGauge("rnn_validation_loss", "Validation loss after the last finished epoch.", notUntilSet);
        learningRate = factory.CreateGauge("rnn_learning_rate", "The learning rate of the last finished epoch's last step, under training.schedule.", notUntilSet);
        epochMetric = factory.CreateGauge("rnn_epoch_metric", "Each of training.metrics after the last finished epoch, by name (accuracy, valAccuracy, ...).",
            new GaugeConfiguration { SuppressInitialValue = true, LabelNames = ["name"] });
        roundTime = factory.CreateHistogram("rnn_round_seconds", "Time of a training round, from sending the shards to the last reply.", roundHistogram);
        computeTime = factory.CreateHistogram("rnn_round_compute_seconds", "The slowest worker's compute time in a training round.", roundHistogram);
        syncTime = factory.CreateHistogram("rnn_round_sync_seconds", "A training round's time minus its slowest worker's compute.", roundHistogram);
        workers = factory.CreateGauge("rnn_workers", "Workers that are part of the run.");
        workerSamples = factory.CreateCounter("rnn_worker_samples_total", "Training samples a worker computed.", "worker");
        workerCompute = factory.CreateCounter("rnn_worker_compute_seconds_total", "Time a worker spent computing its shards.", "worker");
        checkpoints = factory.CreateCounter("rnn_checkpoints_total", "Checkpoints written.");
        checkpointAge = factory.CreateGauge("rnn_checkpoint_age_seconds", "Time since the last checkpoint was written.", notUntilSet);
        Registry.AddBeforeCollectCallback(() =>
        {
            var written = Interlocked.Read(ref lastCheckpointTicks);
            if (written != 0) checkpointAge.Set((clock.GetUtcNow().UtcTicks - written) / (double)TimeSpan.TicksPerSecond);
        });
    }

    public CollectorRegistry Registry { get; }

    /// <summary>Takes one event at a time (<see cref="RunDashboard.Post"/> sees to it); scrapes read the metrics meanwhile, which prometheus-net allows.</summary>
    public void Apply(RunEvent e)
    {
        switch (e)
        {
            case WorkerUp up:
                workersUp.Add(up.Id);
                workers.Set(workersUp.Count);
                break;
            case WorkerDown down:
                workersUp.Remove(down.Id);
                workers.Set(workersUp.Count);
                break;
            case RoundTimed round:
                samples.Inc(round.Round.Shares.Sum(share => share.Samples));
                roundTime.Observe(round.RoundMs / 1000.0);
                computeTime.Observe(round.ComputeMs / 1000.0);
                syncTime.Observe(round.SyncMs / 1000.0);
                foreach (var share in round.Round.Shares)
                {
                    workerSamples.WithLabels(share.Worker).Inc(share.Samples);
                    workerCompute.WithLabels(share.Worker).Inc(share.ComputeMs / 1000.0);
                }
                break;
            case StepTaken taken:
                steps.Inc();
                epoch.Set(taken.Step.Epoch);
                loss.Set(taken.Step.Loss);
                break;
            case EpochEnded ended:
                epochs.Inc();
                epochLoss.Set(ended.Metrics.Loss);
                if (ended.Metrics.ValLoss is { } v) validationLoss.Set(v);
                if (ended.Metrics.LearningRate is { } rate) learningRate.Set(rate);
                foreach (var (name, value) in ended.Metrics.Metrics ?? new Dictionary<string, double>()) epochMetric.WithLabels(name).Set(value);
                break;
            case CheckpointWritten:
                checkpoints.Inc();
                Interlocked.Exchange(ref lastCheckpointTicks, clock.GetUtcNow().UtcTicks);
                checkpointAge.Set(0);
                break;
        }
    }
}
