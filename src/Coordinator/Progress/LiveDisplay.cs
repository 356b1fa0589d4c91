using Spectre.Console;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Progress;

/// <summary>
/// For a terminal: a live bar over the run's epochs with the time left, labelled with the latest loss,
/// validation loss, throughput and worker count. Each finished epoch is also printed as a permanent line
/// above the bar, so the history stays on screen after the run.
/// </summary>
internal sealed class LiveDisplay(IAnsiConsole console) : ITrainingDisplay
{
    private ProgressTask? bar;

    public Task<T> Show<T>(int epochs, Func<Task<T>> run) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                bar = context.AddTask($"epoch 1/{epochs}", maxValue: epochs);
                var result = await run();
                bar.StopTask();
                return result;
            });

    public void EpochDone(EpochMetrics metrics, int epochs)
    {
        console.WriteLine(EpochLine.Format(metrics, epochs));
        if (bar is null) return;
        bar.Value = metrics.Epoch;
        bar.Description = Markup.Escape($"epoch {metrics.Epoch}/{epochs}  {EpochLine.Scores(metrics)}  {EpochLine.Workers(metrics.Workers)}");
    }
}
