using System.Text.Json;
using System.Text.RegularExpressions;
using Rnn.Math.Model;
using Rnn.Math.Weights;
using RnnCluster.Coordinator.Checkpoints;
using RnnCluster.Tests.Cli;

namespace RnnCluster.Tests.Faults;

/// <summary>
/// Divergence as a user meets it: a learning rate that blows the weights up ends the run with exit 1, the step
/// and the last good checkpoint named, and no value that is not finite in any file; a single absurd sample
/// costs its own step in each epoch and nothing else, the same on any number of workers.
/// </summary>
public class DivergenceTests
{
    [Fact]
    public void A_diverging_run_exits_1_naming_the_step_and_its_last_good_checkpoint_and_writes_no_value_that_is_not_finite()
    {
        using var run = new RunFolder();
        var config = run.ConfigWith("\"seed\": 1 }",
            "\"seed\": 1, \"maxBadSteps\": 2, \"optimizer\": { \"type\": \"sgd\", \"learningRate\": 1e30 } }");

        var result = CliRun.Of("train", "--config", config, "--out", run.Out, "--workers", "2", "--epochs", "3");

        Assert.Equal(1, result.ExitCode);
        var error = Regex.Match(result.Stderr, @"^error: training diverged at step (\d+) \(epoch 1\): steps (\d+) to \1, 2 in a row, were skipped for a loss, gradient or update that was not finite \(training\.maxBadSteps is 2\); the last: ", RegexOptions.Multiline);
        Assert.True(error.Success, result.Stderr);
        var good = Regex.Match(result.Stderr, @"^last good checkpoint: (.+) \((the initial weights|the weights of step (\d+)), the last good ones\)$", RegexOptions.Multiline);
        Assert.True(good.Success, result.Stderr);
        long step = long.Parse(error.Groups[1].Value), lastGood = step - 2;
        Assert.Equal(lastGood == 0 ? "" : lastGood.ToString(), good.Groups[3].Value);
        var checkpoint = CheckpointFile.Read(good.Groups[1].Value);
        Assert.Equal(step, checkpoint.Position.Step);
        Assert.Equal(2, Regex.Matches(result.Stdout, @"^step \d+ skipped \(epoch 1, ", RegexOptions.Multiline).Count);

        var written = WrittenFiles.AssertEveryValueFinite(run.Out, "model.json", "model.safetensors", "metrics.jsonl", "loss.png");
        Assert.Contains(good.Groups[1].Value, written);
        run.AssertExistingModelUntouched();
    }

    [Fact]
    public void A_checkpoint_serves_as_init_weights_as_the_model_file_of_the_same_weights_does()
    {
        using var run = new RunFolder();
        var first = run.File("first");
        Assert.Equal(0, CliRun.Of("train", "--config", run.Config, "--out", first, "--workers", "1", "--quiet").ExitCode);
        // The one checkpoint of a one-epoch run is its end: the weights model.safetensors holds.
        var checkpoint = Directory.GetFiles(Path.Combine(first, "checkpoints")).Single();

        var models = new[] { checkpoint, Path.Combine(first, "model.safetensors") }.Select((init, i) =>
        {
            var output = run.File($"from-{i}");
            var result = CliRun.Of("train", "--config", run.Config, "--out", output, "--workers", "1", "--init-weights", init, "--quiet");
            Assert.True(result.ExitCode == 0, result.Stderr);
            return File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
        }).ToList();

        Assert.Equal(models[0], models[1]);
    }

    [Fact]
    public void A_damaged_checkpoint_is_refused_as_init_weights()
    {
        using var run = new RunFolder();
        var first = run.File("first");
        CliRun.Of("train", "--config", run.Config, "--out", first, "--workers", "1", "--quiet");
        var checkpoint = Directory.GetFiles(Path.Combine(first, "checkpoints")).Single();
        var bytes = File.ReadAllBytes(checkpoint);
        bytes[^1] ^= 1;
        File.WriteAllBytes(checkpoint, bytes);

        var result = CliRun.Of("train", "--config", run.Config, "--out", run.File("second"), "--workers", "1", "--init-weights", checkpoint, "--quiet");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("its checksum does not match its content", result.Stderr);
    }

    [Fact]
    public void A_sample_whose_gradient_overflows_costs_its_own_step_each_epoch_and_the_run_ends_on_the_same_bytes_on_any_worker_count()
    {
        using var run = new RunFolder();
        // 8 sequences in 2 minibatches, not shuffled. Sample 5's target is finite but so large that the loss's
        // gradient 2·(y − t) overflows a float, so step 2 of each epoch (the second minibatch) cannot be taken.
        var random = new Random(4);
        var x = Enumerable.Range(0, 8 * 3).Select(_ => random.NextSingle()).ToArray();
        var y = Enumerable.Range(0, 8).Select(_ => random.NextSingle()).ToArray();
        y[5] = 3e38f;
        run.WriteTensors("outlier.safetensors", new NamedTensor("x", [8, 3, 1], x), new NamedTensor("y", [8, 1], y));
        var config = run.Write("outlier.json", """
            {
              "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 4 }, { "type": "dense", "units": 1 } ] },
              "data": { "source": "safetensors", "path": "outlier.safetensors" },
              "training": { "epochs": 2, "batchSize": 4, "shuffle": false, "seed": 1, "groupSize": 1 }
            }
            """);

        var runs = new[] { 1, 3 }.Select(workers =>
        {
            var output = run.File($"workers-{workers}");
            var result = CliRun.Of("train", "--config", config, "--out", output, "--workers", workers.ToString(), "--checkpoint-every", "1");
            Assert.Equal(0, result.ExitCode);
            return (Output: output, result.Stdout);
        }).ToList();

        Assert.Equal(File.ReadAllBytes(Path.Combine(runs[0].Output, "model.safetensors")), File.ReadAllBytes(Path.Combine(runs[1].Output, "model.safetensors")));
        var skipped = runs[0].Stdout.Split('\n').Where(line => line.Contains(" skipped (epoch ")).ToList();
        Assert.Equal(2, skipped.Count);
        Assert.StartsWith("step 2 skipped (epoch 1, minibatch 2 of 2): the gradient has ", skipped[0]);
        Assert.StartsWith("step 4 skipped (epoch 2, minibatch 2 of 2): the gradient has ", skipped[1]);
        Assert.All(File.ReadAllLines(Path.Combine(runs[0].Output, "metrics.jsonl")),
            line => Assert.Equal(1, JsonDocument.Parse(line).RootElement.GetProperty("skippedSteps").GetInt32()));

        // The skipped step left the weights and the optimizer as the step before it had them.
        var byStep = Directory.GetFiles(Path.Combine(runs[0].Output, "checkpoints")).Select(CheckpointFile.Read)
            .GroupBy(c => c.Position.Step).ToDictionary(g => g.Key, g => g.First());
        var layout = new Network(Rnn.Math.Config.ConfigLoader.Load(config).Model).Layout;
        var (before, after) = (byStep[3].State(layout), byStep[4].State(layout));
        Assert.Equal(before.Weights, after.Weights);
        Assert.Equal(before.Optimizer.Steps, after.Optimizer.Steps);
        Assert.Equal(before.Optimizer.First, after.Optimizer.First);
        Assert.Equal(before.Optimizer.Second, after.Optimizer.Second);
        WrittenFiles.AssertEveryValueFinite(runs[0].Output);
    }
}
