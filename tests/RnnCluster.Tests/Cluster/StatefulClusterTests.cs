using Rnn.Math.Training;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// docs/stateful.md on a cluster of worker processes: every stream's state travels with its window's request and
/// comes back with the answer, so a cluster gives the local model's bytes, and a worker killed while it holds
/// streams loses none of their states: its shard is computed again from the states the coordinator holds.
/// </summary>
public sealed class StatefulClusterTests
{
    private const string Config = """
        {
          "model": { "inputSize": 2, "layers": [
            { "type": "lstm", "units": 6, "returnSequences": true, "stateful": true },
            { "type": "dropout", "rate": 0.2 },
            { "type": "gru", "units": 4, "stateful": true },
            { "type": "dense", "units": 1 } ] },
          "data": { "source": "safetensors", "path": "series.safetensors", "streams": 6, "validationSplit": 0.2 },
          "training": { "epochs": 2, "loss": "mse", "shuffle": false, "seed": 5, "groupSize": 1, "clipNorm": 1.0 }
        }
        """;

    private const int Windows = 60, Timesteps = 6;

    /// <summary>60 windows of a noisy series, the target each window's mean; 48 train as 6 streams of 8, 12 validate as 6 of 2.</summary>
    private static IReadOnlyList<NamedTensor> Series()
    {
        var x = new float[Windows * Timesteps * 2];
        var y = new float[Windows];
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Sin(i * 0.05f) + (CounterRandom.Uniform(9, 1, (ulong)i) - 0.5f) * 0.2f;
        for (int w = 0; w < Windows; w++) y[w] = x.AsSpan(w * Timesteps * 2, Timesteps * 2).ToArray().Average();
        return [new("x", [Windows, Timesteps, 2], x), new("y", [Windows, 1], y)];
    }

    [Fact(Timeout = 180_000)]
    public async Task A_cluster_of_two_worker_processes_gives_the_local_model_bitwise()
        => await ClusterTrainRun.AssertTwoWorkerProcessesGiveTheLocalModel(Config, "series.safetensors", Series(), epochs: 3);

    [Fact(Timeout = 300_000)]
    public async Task A_worker_killed_mid_run_loses_none_of_its_streams_states()
    {
        var (output, _) = await ClusterTrainRun.AssertAKilledWorkerLeavesTheLocalModel(Config, "series.safetensors", Series());
        Assert.Contains(output, line => line.StartsWith("shard re-issued: ", StringComparison.Ordinal) || line.StartsWith("worker lost: ", StringComparison.Ordinal));
    }

    /// <summary>
    /// The same with workers that have no copy of the file: each fetches its shards' windows and, for validation, each
    /// stream's windows one ahead; the shards of the one killed are fetched again by whoever computes them.
    /// </summary>
    [Fact(Timeout = 300_000)]
    public async Task Workers_that_fetch_their_windows_one_of_them_killed_mid_run_give_the_local_model_and_say_how_compute_waited()
    {
        var (output, survivors) = await ClusterTrainRun.AssertAKilledWorkerLeavesTheLocalModel(Config, "series.safetensors", Series(), fetching: true);
        Assert.Contains(output, line => line.StartsWith("worker lost: ", StringComparison.Ordinal));
        foreach (var worker in survivors)
        {
            Assert.Contains(worker, line => line.EndsWith("; each shard's samples fetched from the coordinator", StringComparison.Ordinal));
            Assert.Contains(worker, line => line.Contains(": compute ", StringComparison.Ordinal) && line.Contains(" fetched samples ", StringComparison.Ordinal));
        }
    }
}
