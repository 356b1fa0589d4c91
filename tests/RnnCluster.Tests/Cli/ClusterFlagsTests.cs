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
}
