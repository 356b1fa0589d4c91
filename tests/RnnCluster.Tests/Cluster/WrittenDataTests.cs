using System.Globalization;
using System.Text;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// Data that is not a safetensors file (a CSV series cut into windows here) is written once beside a cluster run as
/// data.safetensors, after the coordinator's node is up; workers that can read that path map it instead of being sent
/// a copy, and the run ends on the bytes of the same run in local mode.
/// </summary>
public sealed class WrittenDataTests
{
    private const string Config = """
        {
          "model": { "inputSize": 2, "layers": [ { "type": "lstm", "units": 5 }, { "type": "dense", "units": 1 } ] },
          "data": { "source": "csv", "path": "series.csv", "columns": ["a", "b"], "target": "b", "timesteps": 6, "validationSplit": 0.2 },
          "training": { "epochs": 2, "batchSize": 16, "loss": "mse", "shuffle": true, "seed": 5 }
        }
        """;

    [Fact(Timeout = 300_000)]
    public async Task A_csv_run_on_two_workers_maps_the_run_file_on_each_and_gives_the_local_model()
    {
        using var run = new ClusterTrainRun(epochs: 2, Config);
        var csv = new StringBuilder("a,b\n");
        for (int i = 0; i < 200; i++)
            csv.Append(CultureInfo.InvariantCulture, $"{Math.Sin(i * 0.1):0.0000},{Math.Cos(i * 0.07):0.0000}\n");
        File.WriteAllText(run.DataPath("series.csv"), csv.ToString());
        var undisturbed = run.Undisturbed();

        await using var first = run.StartWorker();
        await using var second = run.StartWorker();
        await using var coordinator = run.StartCoordinator(minWorkers: 2);
        int exit = await coordinator.WaitForExitAsync(ClusterTrainRun.Generous);

        Assert.True(exit == 0, $"exit {exit}: {string.Join('\n', coordinator.Output.Concat(coordinator.Errors).TakeLast(20))}");
        string file = Path.Combine(run.Out, "data.safetensors");
        Assert.True(File.Exists(file), "no data.safetensors beside the run");
        foreach (var worker in new[] { first, second })
        {
            Assert.Contains(worker.Output, line => line.Contains($"data mapped from {file}", StringComparison.Ordinal));
            Assert.DoesNotContain(worker.Output, line => line.Contains("the coordinator sends its data", StringComparison.Ordinal));
        }
        Assert.Equal(undisturbed, run.Model);
    }
}
