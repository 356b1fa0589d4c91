using RnnCluster.Tests.Cli;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Tests.Faults;

/// <summary>
/// A malformed data-plane frame in a real run, made by the test-only hook (<see cref="TestFaults"/>, the
/// RNN_TEST_FAULT variable): refused with one line per faulty sender, not one per frame (its connection is cut at
/// the first), and the run ends on the bytes of an undisturbed one.
/// </summary>
public class MalformedMessageTests
{
    /// <summary>17,217 parameters: every gradient and weights tensor is one segment. 40 samples in minibatches of 16, no validation: rounds 0-2 are epoch 1, 3-5 epoch 2.</summary>
    private const string Config = """
        {
          "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 64 }, { "type": "dense", "units": 1 } ] },
          "data": { "source": "synthetic", "generator": "sine", "samples": 40, "timesteps": 5, "seed": 2 },
          "training": { "epochs": 2, "batchSize": 16, "seed": 5 }
        }
        """;

    /// <summary>
    /// A worker's partial sums of round 3 are refused by whoever sums them next (the other worker, or the
    /// coordinator for the root); the faulty worker whose own child was refused never sends, so one or two lines.
    /// Every worker refuses weights version 2, and its refusal lands in round 2 or in the round started again after the other's.
    /// </summary>
    [Theory]
    [InlineData("gradient-offset@3", @"^refused a frame (sent to worker akka://rnn-cluster/user/worker-\d+ )?from worker akka://rnn-cluster/user/worker-\d+: " +
        @"frame Partial part 0 tag 3 node \(\d+, \d+\) offset 17217 count 17217: not a segment of a gradient \(17217 values\); its shard of round 3 is re-issued$", 1)]
    [InlineData("weights-offset@2", @"^worker akka://rnn-cluster/user/worker-\d+ refused frame Weights part 0 tag 2 node \(0, 0\) offset 17217 count 17217: " +
        @"not a segment of the weights \(17217 values\); it gets the job again(; its shard of round \d+ is re-issued)?$", 2)]
    public void A_malformed_frame_is_refused_once_per_sender_and_the_run_ends_on_the_undisturbed_bytes(string fault, string pattern, int least)
    {
        using var run = new RunFolder();
        var config = run.Write("wide.json", Config);

        var undisturbed = Train(run, config, "undisturbed", new Dictionary<string, string>());
        var disturbed = Train(run, config, "disturbed", new Dictionary<string, string> { [TestFaults.Variable] = fault });

        Assert.Equal(undisturbed.Model, disturbed.Model);
        var refusals = disturbed.Result.Stdout.Split('\n').Where(line => line.Contains("refused")).ToList();
        Assert.InRange(refusals.Count, least, 2);
        Assert.All(refusals, line => Assert.Matches(pattern, line));
        Assert.Equal(refusals.Count, refusals.Distinct().Count());
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
