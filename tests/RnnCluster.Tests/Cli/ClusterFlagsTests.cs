using RnnCluster.Coordinator.Cli;
using RnnCluster.Shared.CommandLine;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Tests.Cli;

public class ClusterFlagsTests
{
    private static readonly Dictionary<string, string> Environment = new()
    {
        ["RNN_SEED_NODES"] = "akka.tcp://rnn-cluster@a:4053, akka.tcp://rnn-cluster@b:4053",
        ["RNN_PORT"] = "5000",
        ["RNN_PUBLIC_HOST"] = "coordinator",
        ["RNN_MIN_WORKERS"] = "3",
    };

    private static ParsedArgs Parse(params string[] args) =>
        ParsedArgs.Parse(Commands.Train, args, name => Environment.GetValueOrDefault(name));

    [Fact]
    public void EnvironmentVariablesSupplyMissingFlags()
    {
        var node = ClusterFlags.From(Parse("--cluster"))!.Node;

        Assert.Equal(["akka.tcp://rnn-cluster@a:4053", "akka.tcp://rnn-cluster@b:4053"], node.SeedNodes);
        Assert.Equal(5000, node.Port);
        Assert.Equal("coordinator", node.PublicHost);
    }

    [Fact]
    public void MinimumWorkersComeFromTheEnvironmentAsDockerComposeSetsThem()
    {
        Assert.Equal(3, ClusterFlags.From(Parse("--cluster"))!.MinWorkers);
    }

    [Fact]
    public void MinimumWorkersFromTheEnvironmentAreCheckedLikeTheFlag()
    {
        var args = ParsedArgs.Parse(Commands.Train, ["--cluster"], name => name == "RNN_MIN_WORKERS" ? "0" : null);

        var error = Assert.Throws<Rnn.Math.InputException>(() => ClusterFlags.From(args));

        Assert.StartsWith("RNN_MIN_WORKERS:", error.Message);
    }

    [Fact]
    public void FlagWinsOverItsEnvironmentVariable()
    {
        var node = ClusterFlags.From(Parse("--cluster", "--port", "6000"))!.Node;

        Assert.Equal(6000, node.Port);
    }

    [Fact]
    public void WithoutFlagsOrVariablesTheDefaultsApply()
    {
        var args = ParsedArgs.Parse(Commands.Train, ["--cluster"], _ => null);

        var cluster = ClusterFlags.From(args)!;

        Assert.Equal((NodeOptions.EveryInterface, ClusterFlags.DefaultPort, 1), (cluster.Node.Host, cluster.Node.Port, cluster.MinWorkers));
        Assert.Empty(cluster.Node.SeedNodes);
    }

    [Fact]
    public void WithoutClusterTheRunIsLocal()
    {
        Assert.Null(ClusterFlags.From(Parse()));
    }

    [Fact]
    public void SeedNodeThatIsNotAnAkkaAddressIsNamed()
    {
        var args = Parse("--cluster", "--seed-nodes", "10.0.0.1:4053");

        var error = Assert.Throws<Rnn.Math.InputException>(() => ClusterFlags.From(args));

        Assert.Contains("'10.0.0.1:4053'", error.Message);
    }

    [Fact]
    public void SeedNodeOfAnotherActorSystemIsRefusedNamingBothSystems()
    {
        var args = Parse("--cluster", "--seed-nodes", "akka.tcp://training@10.0.0.1:4053");

        var error = Assert.Throws<Rnn.Math.InputException>(() => ClusterFlags.From(args));

        Assert.StartsWith("--seed-nodes: 'akka.tcp://training@10.0.0.1:4053' names the actor system 'training'", error.Message);
        Assert.Contains("'rnn-cluster'", error.Message);
    }

    /// <summary>The resume command a stopped run prints keeps the way its node found the cluster: read back, it is the same node.</summary>
    [Theory]
    [InlineData("--discovery", "config", "--contact-points", "127.0.0.1:8600,127.0.0.1:8601", "--management-port", "8600")]
    [InlineData("--discovery", "kubernetes", "--pod-label", "app=mine")]
    public void The_resume_command_keeps_discovery_and_the_management_port(params string[] discovery)
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", "{}");
        string[] args = ["--config", config, "--out", folder.File("run"), "--cluster", "--port", "4100", .. discovery];
        var options = TrainOptions.From(ParsedArgs.Parse(Commands.Train, args, _ => null), DateTime.Now);
        Directory.CreateDirectory(folder.File("run"));

        var words = ResumeCommand.For(options).Split(' ');
        Assert.Equal(["rnn-cluster", "train", "--resume"], words[..3]);
        var resumed = ClusterFlags.From(ParsedArgs.Parse(Commands.Train, words[2..], _ => null))!.Node;
        var original = options.Cluster!.Node;
        Assert.Equal(original.Discovery, resumed.Discovery);
        Assert.Equal(original.ManagementPort, resumed.ManagementPort);
        Assert.NotNull(resumed.Discovery);
    }
}
