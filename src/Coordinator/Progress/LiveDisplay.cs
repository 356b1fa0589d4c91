using System.Globalization;
using Spectre.Console;

namespace RnnCluster.Coordinator.Progress;

/// <summary>
/// For a terminal: two live bars, the run (with time left) and the current epoch's minibatches, whose
/// label carries the latest loss, validation loss, throughput and worker count. Each finished epoch is also
/// printed as a permanent line above the bars, so the history stays on screen after the run.
/// </summary>
internal sealed class LiveDisplay(IAnsiConsole console) : ITrainingDisplay
{
    private ProgressTask? run;
    private ProgressTask? epoch;
    private int epochs;
    private string lastEpoch = "";

    public async Task<T> Show<T>(int epochs, int batchesPerEpoch, Func<Task<T>> training)
    {
        this.epochs = epochs;
        return await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(),
                new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                run = context.AddTask(RunLabel(), maxValue: epochs);
                epoch = context.AddTask(EpochLabel(1, 0), maxValue: batchesPerEpoch);
                var result = await training();
                epoch.StopTask();
                run.StopTask();
                return result;
            });
    }

    public void BatchDone(int epochNumber, int batch, int workers)
    {
        if (epoch is null) return;
        epoch.Value = batch;
        epoch.Description = EpochLabel(epochNumber, workers);
    }

    public void EpochDone(EpochReport report)
    {
        if (run is null || epoch is null) return;
        console.MarkupLine(Markup.Escape(EpochLine.Format(report)));
        lastEpoch = string.Create(CultureInfo.InvariantCulture,
            $"loss {EpochLine.Loss(report.Loss)}{(report.ValLoss is { } v ? $"  val_loss {EpochLine.Loss(v)}" : "")}  {report.SeqPerSec:0} seq/s");
        run.Value = report.Epoch;
        run.Description = RunLabel();
        epoch.Value = 0;
        epoch.Description = EpochLabel(System.Math.Min(report.Epoch + 1, epochs), report.Workers);
    }

    private string RunLabel() => Markup.Escape(lastEpoch.Length == 0 ? "training" : lastEpoch);

    private string EpochLabel(int number, int workers) =>
        Markup.Escape($"epoch {number}/{epochs}" + (workers > 0 ? $"  {workers} worker{(workers == 1 ? "" : "s")}" : ""));
}
