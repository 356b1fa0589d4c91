using RnnCluster.Tests.Cli;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Tests.Faults;

/// <summary>
/// A malformed message in a real run, made by the test-only hook (<see cref="TestFaults"/>, the RNN_TEST_FAULT
/// variable): refused with one line per worker, not one per chunk, and the run ends on the bytes of an
/// undisturbed one.
/// </summary>
public class MalformedMessageTests
{
    /// <summary>17,217 parameters: every gradient and weights message is two chunks. 40 samples in minibatches of 16, no validation: rounds 0-2 are epoch 1, 3-5 epoch 2.</summary>
    private const string Config = """
        {
          "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 64 }, { "type": "dense", "units": 1 } ] },
          "data": { "source": "synthetic", "generator": "sine", "samples": 40, "timesteps": 5, "seed": 2 },
          "training": { "epochs": 2, "batchSize": 16, "seed": 5 }
        }
        """;

    [Theory]
    [InlineData("gradient-offset@3", "refused a GradientChunk of round 3 from worker akka://rnn-cluster/user/worker-",
        ": 16384 values at offset 17217, outside the 17217 parameters; its shard of round 3 is re-issued")]
    [InlineData("weights-offset@2", "worker akka://rnn-cluster/user/worker-",
        " refused WeightsChunk of version 2: offset 17217 lies outside its 17217 values; it gets the job again; its shard of round 2 is re-issued")]
    public void A_malformed_message_is_refused_once_per_worker_and_the_run_ends_on_the_undisturbed_bytes(string fault, string starts, string ends)
    {
        using var run = new RunFolder();
        var config = run.Write("wide.json", Config);

        var undisturbed = Train(run, config, "undisturbed", new Dictionary<string, string>());
        var disturbed = Train(run, config, "disturbed", new Dictionary<string, string> { [TestFaults.Variable] = fault });

        Assert.Equal(undisturbed.Model, disturbed.Model);
        var refusals = disturbed.Result.Stdout.Split('\n').Where(line => line.Contains("refused")).Order().ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, line =>
        {
            Assert.StartsWith(starts, line);
            Assert.EndsWith(ends, line);
        });
        Assert.NotEqual(refusals[0], refusals[1]);
        Assert.DoesNotContain("refused", undisturbed.Result.Stdout);
    }

    [Fact]
    public void A_test_fault_that_is_not_one_is_refused_naming_the_variable()
    {
        using var run = new RunFolder();
        var result = CliRun.With(new Dictionary<string, string> { [TestFaults.Variable] = "gradient-offset" }, "train", "--config", run.Config, "--out", run.Out);
        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: RNN_TEST_FAULT: 'gradient-offset' is not gradient-offset@ROUND or weights-offset@VERSION (a test-only variable)", result.StderrLines.Single());
    }

    private static (CliRun Result, byte[] Model) Train(RunFolder run, string config, string name, Dictionary<string, string> environment)
    {
        var output = run.File(name);
        var result = CliRun.With(environment, "train", "--config", config, "--out", output, "--workers", "2");
        Assert.True(result.ExitCode == 0, result.Stderr);
        return (result, File.ReadAllBytes(Path.Combine(output, "model.safetensors")));
    }
}
