namespace RnnCluster.Tests.Cli;

public class HelpTests
{
    [Fact]
    public void HelpListsEveryCommandAndExitsZero()
    {
        var run = CliRun.Of("--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var command in new[] { "train", "predict", "evaluate", "bench" }) Assert.Contains(command, run.Stdout);
    }

    [Fact]
    public void CommandHelpListsItsFlagsWithTheirEnvironmentVariables()
    {
        var run = CliRun.Of("train", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--checkpoint-every STEPS", run.Stdout);
        Assert.Contains("[env RNN_SEED_NODES]", run.Stdout);
    }

    [Fact]
    public void NoCommandPrintsUsageAndExitsTwo()
    {
        var run = CliRun.Of();

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("usage: rnn-cluster <command>", run.Stderr);
    }
}
