using System.Globalization;
using Rnn.Math.LayerTypes;
using Rnn.Math.Model;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Worker.Lifecycle;

/// <summary>How a worker's terminal names a job: the model, the size of the data it was sent, and the file it maps the rest from.</summary>
internal static class JobLine
{
    /// <summary>
    /// `job 6f1c2a57: lstm(50) → dropout(0.2) → dense(1), 10,451 parameters; 92 training + 23 validation sequences of 12 × 1 (5.4 KB)`,
    /// then `; data mapped from PATH` where the worker reads x and y from its copy of the coordinator's file, or
    /// `; each shard's samples fetched from the coordinator` where it has no copy (the size is then of nothing sent).
    /// </summary>
    public static string Received(StartJob job, Network network)
    {
        var shape = job.Shape;
        var layers = string.Join(" → ", network.Layers.Select(layer => Layer(layer.Config)));
        long floats = Enum.GetValues<DataPart>().Sum(shape.Length);
        var validation = shape.ValidationSamples > 0 ? $" + {shape.ValidationSamples:N0} validation" : "";
        var mapped = shape switch
        {
            { Mapped: { } file } => $"; data mapped from {file.Path}",
            { Fetched: true } => "; each shard's samples fetched from the coordinator",
            _ => "",
        };
        return string.Create(CultureInfo.InvariantCulture,
            $"{Id(job.JobId)}: {layers}, {network.ParameterCount:N0} parameters; " +
            $"{shape.TrainSamples:N0} training{validation} sequences of {shape.Timesteps} × {shape.InputSize} ({Size(floats * sizeof(float))}){mapped}");
    }

    /// <summary>
    /// `job 6f1c2a57: compute waited for fetched samples 3 times in 2,400 gathers, 12 ms in all (longest 5 ms)`, or
    /// `... never waited for fetched samples in 2,400 gathers`: whether read-ahead kept up.
    /// </summary>
    public static string Waited(Guid jobId, SampleWaits waits) => waits.Waits == 0
        ? string.Create(CultureInfo.InvariantCulture, $"{Id(jobId)}: compute never waited for fetched samples in {waits.Gathers:N0} gathers")
        : string.Create(CultureInfo.InvariantCulture,
            $"{Id(jobId)}: compute waited for fetched samples {waits.Waits:N0} time{(waits.Waits == 1 ? "" : "s")} in {waits.Gathers:N0} gathers, " +
            $"{waits.Total.TotalMilliseconds:N0} ms in all (longest {waits.Longest.TotalMilliseconds:N1} ms)");

    /// <summary>`job 6f1c2a57`: the first part of the job's id, enough to tell jobs apart on one terminal.</summary>
    public static string Id(Guid jobId) => $"job {jobId.ToString()[..8]}";

    private static string Layer(LayerConfig layer) => layer switch
    {
        DropoutConfig dropout => string.Create(CultureInfo.InvariantCulture, $"{dropout.TypeName}({dropout.Rate})"),
        RecurrentConfig recurrent => $"{recurrent.TypeName}({recurrent.Units})",
        DenseConfig dense => $"{dense.TypeName}({dense.Units})",
        _ => layer.TypeName,
    };

    private static string Size(long bytes) => bytes switch
    {
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MB"),
    };
}
