namespace RnnCluster.Tests.Cli;

/// <summary>
/// The determinism promise of docs/contract.md at the level a user sees it: the model file `train` writes is the same bytes
/// whatever `--workers` says, with everything that could make the order of work leak in turned on
/// (dropout, shuffling, clipping, validation, a stacked lstm+gru model, a partial last minibatch).
/// </summary>
public class WorkerCountDeterminismTests
{
    internal const string Config = """
        {
          "model": { "inputSize": 1, "layers": [
            { "type": "lstm", "units": 6, "returnSequences": true },
            { "type": "dropout", "rate": 0.3 },
            { "type": "gru", "units": 5 },
            { "type": "dense", "units": 1 } ] },
          "data": { "source": "synthetic", "generator": "sine", "samples": 45, "timesteps": 7, "seed": 3, "validationSplit": 0.2 },
          "training": { "epochs": 2, "batchSize": 16, "loss": "mse", "shuffle": true, "seed": 11, "clipNorm": 0.05 }
        }
        """;

    [Fact]
    public void Model_file_is_byte_identical_for_one_to_four_workers()
    {
        using var run = new RunFolder();
        var config = run.Write("stacked.json", Config);

        var models = Enumerable.Range(1, 4).Select(workers =>
        {
            var output = run.File($"workers-{workers}");
            var result = CliRun.Of("train", "--config", config, "--out", output, "--workers", workers.ToString(), "--quiet");
            Assert.Equal(0, result.ExitCode);
            return File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
        }).ToArray();

        Assert.All(models.Skip(1), model => Assert.Equal(models[0], model));
    }
}
