namespace RnnCluster.Tests.Cli;

public class FlagErrorTests
{
    [Fact]
    public void UnknownFlagExitsTwoAndSuggestsTheNearestFlag()
    {
        var run = CliRun.Of("train", "--config", "x.json", "--epoch", "5");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown flag --epoch", run.Stderr);
        Assert.Contains("did you mean \"--epochs\"?", run.Stderr);
    }

    [Fact]
    public void UnknownCommandExitsTwoAndSuggestsTheNearestCommand()
    {
        var run = CliRun.Of("trian", "--config", "x.json");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown command 'trian'; did you mean \"train\"?", run.Stderr);
    }

    [Fact]
    public void FarFetchedNamesGetNoSuggestion()
    {
        var run = CliRun.Of("train", "--frobnicate");

        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("did you mean", run.Stderr);
    }

    [Theory]
    [InlineData("--workers", "x")]
    [InlineData("--workers", "0")]
    [InlineData("--epochs", "-3")]
    [InlineData("--epochs", "1.5")]
    public void NonPositiveOrNonNumericCountNamesTheFlagAndTheValue(string flag, string value)
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", "{}");

        var run = CliRun.Of("train", "--config", config, flag, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"{flag}: expected a positive integer, got '{value}'", run.Stderr);
    }

    [Fact]
    public void FlagWithoutItsValueSaysWhatWasExpected()
    {
        var run = CliRun.Of("predict", "--model");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--model: expected DIR", run.Stderr);
    }

    [Fact]
    public void MissingConfigFileNamesThePath()
    {
        var run = CliRun.Of("train", "--config", "no/such/config.json");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--config: file not found: 'no/such/config.json'", run.Stderr);
    }

    [Fact]
    public void MissingRequiredFlagIsNamed()
    {
        var run = CliRun.Of("evaluate", "--input", "data.csv");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--model DIR is required", run.Stderr);
    }

    [Fact]
    public void BadPortFromTheEnvironmentNamesTheVariable()
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", "{}");
        var environment = new Dictionary<string, string> { ["RNN_PORT"] = "http" };

        var run = CliRun.With(environment, "train", "--config", config, "--cluster");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("RNN_PORT: expected a port number", run.Stderr);
    }

    [Fact]
    public void ClusterFlagWithoutClusterModeIsRejected()
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", "{}");

        var run = CliRun.Of("train", "--config", config, "--min-workers", "2");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--min-workers needs --cluster", run.Stderr);
    }

    [Theory]
    [InlineData("--discovery: expected config or kubernetes, got 'dns'", "--cluster", "--discovery", "dns")]
    [InlineData("--discovery config needs --contact-points HOST:PORT,... (or RNN_CONTACT_POINTS)", "--cluster", "--discovery", "config")]
    [InlineData("--contact-points needs --discovery config", "--cluster", "--contact-points", "127.0.0.1:8558")]
    [InlineData("--contact-points: expected management endpoints like HOST:8558, got 'akka.tcp://rnn-cluster@127.0.0.1:4053'",
        "--cluster", "--discovery", "config", "--contact-points", "akka.tcp://rnn-cluster@127.0.0.1:4053")]
    [InlineData("--contact-points is for --discovery config; kubernetes finds pods by --pod-label", "--cluster", "--discovery", "kubernetes", "--contact-points", "a:1")]
    [InlineData("--pod-label needs --discovery kubernetes", "--cluster", "--pod-label", "app=rnn")]
    [InlineData("--seed-nodes and --discovery: give one way to find the cluster, not both",
        "--cluster", "--seed-nodes", "akka.tcp://rnn-cluster@127.0.0.1:4053", "--discovery", "kubernetes")]
    [InlineData("--management-port: expected a port from 1 to 65535", "--cluster", "--management-port", "0")]
    [InlineData("--discovery needs --cluster", "--discovery", "kubernetes")]
    public void DiscoveryFlagsAreCheckedAndNamed(string message, params string[] flags)
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", "{}");

        var run = CliRun.Of(["train", "--config", config, .. flags]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(message, run.Stderr);
    }

    [Fact]
    public void UserErrorsPrintNoStackTrace()
    {
        var run = CliRun.Of("bench", "--steps", "many");

        Assert.Equal(2, run.ExitCode);
        Assert.DoesNotContain("   at ", run.Stderr);
        Assert.True(run.StderrLines.Length <= 25);
    }
}
