using Spectre.Console;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Progress;

/// <summary>
/// For a terminal: a live bar over the run's epochs with the time left, labelled with the latest loss,
/// validation loss, throughput and worker count (as much of it as the terminal's width allows). Each
/// finished epoch is also printed as a permanent line above the bar, so the history stays on screen.
/// </summary>
internal sealed class LiveDisplay(IAnsiConsole console) : ITrainingDisplay
{
    private const int BarWidth = 24;

    /// <summary>What the bar, the time-left column, the spinner and the gaps between columns take.</summary>
    private const int FixedColumns = BarWidth + 8 + 1 + 6;

    private ProgressTask? bar;

    public Task<T> Show<T>(int epochs, Func<Task<T>> run) =>
        console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = BarWidth },
                new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                bar = context.AddTask($"epoch 0/{epochs}", maxValue: epochs);
                var result = await run();
                bar.StopTask();
                return result;
            });

    public void EpochDone(EpochMetrics metrics, int epochs)
    {
        console.WriteLine(EpochLine.Format(metrics, epochs));
        if (bar is null) return;
        bar.Value = metrics.Epoch;
        bar.Description = Markup.Escape(Label(metrics, epochs));
    }

    /// <summary>The longest label that fits on one line: a wrapped progress line redraws as garbage.</summary>
    private string Label(EpochMetrics metrics, int epochs)
    {
        var room = console.Profile.Width - FixedColumns;
        var epoch = $"epoch {metrics.Epoch}/{epochs}";
        string[] candidates =
        [
            $"{epoch}  {EpochLine.Scores(metrics)}  {EpochLine.Workers(metrics.Workers)}",
            $"{epoch}  {EpochLine.Scores(metrics)}",
            $"{epoch}  loss {EpochLine.Loss(metrics.Loss)}",
        ];
        return candidates.FirstOrDefault(label => label.Length <= room) ?? epoch;
    }
}
