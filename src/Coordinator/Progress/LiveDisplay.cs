using Spectre.Console;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Progress;

/// <summary>
/// For a terminal: two live bars, the run's epochs (with the time left) and the current epoch's minibatches,
/// labelled with the latest loss, validation loss, throughput and worker count (as much as the terminal's
/// width allows). Each finished epoch is also printed as a permanent line above the bars, so the history
/// stays on screen. Until the first minibatch the second bar says what training waits for.
/// </summary>
internal sealed class LiveDisplay(IAnsiConsole console) : ITrainingDisplay
{
    private const int BarWidth = 24;

    /// <summary>What the bar, the time-left column, the spinner and the gaps between columns take.</summary>
    private const int FixedColumns = BarWidth + 8 + 1 + 6;

    private ProgressTask? run;
    private ProgressTask? epoch;
    private string? printedSeed;

    public Task<T> Show<T>(int epochs, int doneEpochs, Func<Task<T>> training) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = BarWidth },
                new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                run = context.AddTask($"epoch {doneEpochs}/{epochs}", maxValue: epochs);
                run.Value = doneEpochs;
                epoch = context.AddTask("waiting for the first minibatch");
                var result = await training();
                epoch.StopTask();
                run.StopTask();
                return result;
            });

    public void Waiting(int joined, int needed, string? seed)
    {
        var full = WorkerLines.Waiting(joined, needed, seed);
        // The seed is what a worker needs to join; where the bar has no room for it, it is printed once above the bars.
        if (seed is not null && seed != printedSeed && full.Length > Room)
        {
            console.WriteLine(full);
            printedSeed = seed;
        }
        if (epoch is not null) epoch.Description = Markup.Escape(Fit(full, WorkerLines.Waiting(joined, needed, null)));
    }

    public void Note(string line) => console.WriteLine(line);

    public void StepDone(StepProgress step)
    {
        if (epoch is null) return;
        epoch.MaxValue = step.Minibatches;
        epoch.Value = step.Minibatch;
        epoch.Description = Markup.Escape(Fit(
            $"minibatch {step.Minibatch}/{step.Minibatches}  loss {EpochLine.Loss(step.Loss)}  {EpochLine.Workers(step.Workers)}",
            $"minibatch {step.Minibatch}/{step.Minibatches}  loss {EpochLine.Loss(step.Loss)}",
            $"minibatch {step.Minibatch}/{step.Minibatches}"));
    }

    public void EpochDone(EpochMetrics metrics, int epochs)
    {
        console.WriteLine(EpochLine.Format(metrics, epochs));
        if (run is null) return;
        run.Value = metrics.Epoch;
        var done = $"epoch {metrics.Epoch}/{epochs}";
        run.Description = Markup.Escape(Fit(
            $"{done}  {EpochLine.Scores(metrics)}  {EpochLine.Workers(metrics.Workers)}",
            $"{done}  {EpochLine.Scores(metrics)}",
            $"{done}  loss {EpochLine.Loss(metrics.Loss)}",
            done));
    }

    /// <summary>The first label that fits on one line (the last one always): a wrapped line redraws as garbage.</summary>
    private string Fit(params string[] labels) => labels.FirstOrDefault(label => label.Length <= Room) ?? labels[^1];

    private int Room => console.Profile.Width - FixedColumns;
}
