using Rnn.Math.Training;
using Rnn.Math.Weights;
using RnnCluster.Tests.Cluster;

namespace RnnCluster.Tests.Cli;

/// <summary>
/// The determinism promise for tokens and sequences of different lengths: an embedding with maskZero, lengths, two
/// bidirectional layers with dropout between them and a class per step, shuffled. Shards then differ in how many
/// real steps they hold and how many padded steps they skip, and the minibatch's mean divides by its real steps,
/// counted by the coordinator: none of it may move a bit, on 1 to 4 local workers or a cluster of two processes,
/// through a worker's death or a resume on another number of workers, in the weights or in the losses and metrics
/// logged.
/// </summary>
public class SequenceDeterminismTests
{
    internal const string Config = """
        {
          "model": { "layers": [
            { "type": "embedding", "inputDim": 11, "outputDim": 4, "maskZero": true },
            { "type": "lstm", "units": 5, "returnSequences": true, "bidirectional": true },
            { "type": "dropout", "rate": 0.3 },
            { "type": "gru", "units": 4, "returnSequences": true, "bidirectional": true },
            { "type": "dense", "units": 3 } ] },
          "data": { "source": "safetensors", "path": "tokens.safetensors", "validationSplit": 0.2 },
          "training": { "epochs": 2, "batchSize": 8, "loss": "crossentropy", "shuffle": true, "seed": 7, "groupSize": 2,
                        "metrics": ["accuracy", "perplexity"] }
        }
        """;

    private const int Samples = 43, Timesteps = 9;

    /// <summary>
    /// Token ids in 1..10 with each sample's steps after its length set to id 0, a few ids 0 inside sequences too
    /// (maskZero skips them), lengths 1..9 and a class 0..2 per step (the class of a padded step is never read).
    /// </summary>
    internal static IReadOnlyList<NamedTensor> Tokens()
    {
        var x = new float[Samples * Timesteps];
        var y = new float[Samples * Timesteps];
        var lengths = new float[Samples];
        for (int s = 0; s < Samples; s++)
        {
            lengths[s] = 1 + (int)(CounterRandom.Uniform(3, 1, (ulong)s) * Timesteps);
            for (int t = 0; t < Timesteps; t++)
            {
                int i = s * Timesteps + t;
                bool inside = t < lengths[s] && CounterRandom.Uniform(3, 2, (ulong)i) > 0.1f;
                x[i] = inside ? 1 + (int)(CounterRandom.Uniform(3, 3, (ulong)i) * 10) : 0;
                y[i] = (int)(CounterRandom.Uniform(3, 4, (ulong)i) * 3);
            }
        }
        return [new("x", [Samples, Timesteps], x), new("y", [Samples, Timesteps], y), new("lengths", [Samples], lengths)];
    }

    [Fact]
    public void Model_file_is_byte_identical_for_one_to_four_workers()
    {
        using var run = new RunFolder();
        var config = run.Write("tokens.json", Config);
        SafeTensors.Write(Path.Combine(Path.GetDirectoryName(config)!, "tokens.safetensors"), Tokens());

        var runs = Enumerable.Range(1, 4).Select(workers =>
        {
            var output = run.File($"workers-{workers}");
            var result = CliRun.Of("train", "--config", config, "--out", output, "--workers", workers.ToString(), "--quiet");
            Assert.True(result.ExitCode == 0, result.Stderr);
            return (Model: File.ReadAllBytes(Path.Combine(output, "model.safetensors")), Scores: Scores(output));
        }).ToArray();

        Assert.All(runs.Skip(1), other => Assert.Equal(runs[0].Model, other.Model));
        Assert.All(runs.Skip(1), other => Assert.Equal(runs[0].Scores, other.Scores));
        Assert.Contains("\"valAccuracy\":", runs[0].Scores[^1]);
    }

    /// <summary>Each epoch's line of metrics.jsonl without its timings and worker count: the figures that must not move.</summary>
    private static string[] Scores(string output)
    {
        string[] timings = ["seqPerSec", "workers", "elapsedSec", "msPerStep", "syncMsPerRound"];
        return File.ReadAllLines(Path.Combine(output, "metrics.jsonl")).Select(line =>
        {
            var fields = System.Text.Json.Nodes.JsonNode.Parse(line)!.AsObject();
            foreach (var timing in timings) fields.Remove(timing);
            return fields.ToJsonString();
        }).ToArray();
    }

    [Fact]
    public void A_run_resumed_with_more_epochs_on_other_workers_ends_on_the_bytes_of_the_longer_run()
    {
        using var run = new RunFolder();
        var config = run.Write("tokens.json", Config);
        SafeTensors.Write(Path.Combine(Path.GetDirectoryName(config)!, "tokens.safetensors"), Tokens());
        var (resumed, longer) = (run.File("resumed"), run.File("longer"));
        Assert.Equal(0, CliRun.Of("train", "--config", config, "--out", longer, "--epochs", "4", "--workers", "1", "--quiet").ExitCode);
        Assert.Equal(0, CliRun.Of("train", "--config", config, "--out", resumed, "--epochs", "2", "--workers", "3", "--quiet").ExitCode);

        Assert.Equal(0, CliRun.Of("train", "--resume", resumed, "--epochs", "4", "--workers", "2", "--quiet").ExitCode);

        Assert.Equal(File.ReadAllBytes(Path.Combine(longer, "model.safetensors")), File.ReadAllBytes(Path.Combine(resumed, "model.safetensors")));
        Assert.Equal(Scores(longer), Scores(resumed));
    }

    [Fact(Timeout = 300_000)]
    public async Task A_worker_killed_mid_run_leaves_the_bits_alone()
        => await ClusterTrainRun.AssertAKilledWorkerLeavesTheLocalModel(Config, "tokens.safetensors", Tokens());

    [Fact(Timeout = 180_000)]
    public async Task A_cluster_of_two_worker_processes_gives_the_local_model_bitwise()
        => await ClusterTrainRun.AssertTwoWorkerProcessesGiveTheLocalModel(Config, "tokens.safetensors", Tokens(), epochs: 3);
}
