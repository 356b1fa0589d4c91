using Rnn.Math;
using RnnCluster.Shared;
using RnnCluster.Worker;
using RnnCluster.Shared.CommandLine;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Tests.Cluster;

public class WorkerCommandLineTests
{
    private const string Seed = "akka.tcp://rnn-cluster@10.0.0.1:4053";

    private static WorkerCommandLine Parse(string[] args, Func<string, string?> environment)
        => WorkerCommandLine.From(ParsedArgs.Parse(WorkerCommandLine.Spec, args, environment));

    [Fact]
    public void Every_flag_can_come_from_its_environment_variable()
    {
        var environment = new Dictionary<string, string>
        {
            ["RNN_SEED_NODES"] = $"{Seed}, akka.tcp://rnn-cluster@10.0.0.2:4053",
            ["RNN_HOST"] = "10.0.0.9",
            ["RNN_PORT"] = "4060",
            ["RNN_PUBLIC_HOST"] = "worker-9",
            ["RNN_THREADS"] = "3",
            ["RNN_ONCE"] = "1",
        };
        var options = Parse([], name => environment.GetValueOrDefault(name));
        Assert.Equal([Seed, "akka.tcp://rnn-cluster@10.0.0.2:4053"], options.Node.SeedNodes);
        Assert.Equal(("10.0.0.9", 4060, "worker-9", 3, true),
            (options.Node.Host, options.Node.Port, options.Node.PublicHost, options.Threads, options.Once));
    }

    [Fact]
    public void The_test_only_fault_variable_is_read_and_anything_else_in_it_refused()
    {
        var options = Parse(["--seed-nodes", Seed], name => name == TestFaults.Variable ? "gradient-offset@7, weights-offset@2" : null);
        Assert.Equal(new TestFaults(GradientOffsetRound: 7, WeightsOffsetVersion: 2), options.Faults);
        Assert.Equal(TestFaults.None, Parse(["--seed-nodes", Seed], _ => null).Faults);
        var error = Assert.Throws<InputException>(() => Parse(["--seed-nodes", Seed], name => name == TestFaults.Variable ? "slow@3" : null));
        Assert.StartsWith("RNN_TEST_FAULT: 'slow@3' is not ", error.Message);
    }

    [Fact]
    public void A_flag_wins_over_its_environment_variable()
    {
        var options = Parse(["--seed-nodes", Seed, "--threads", "2"], name => name == "RNN_THREADS" ? "8" : null);
        Assert.Equal(2, options.Threads);
    }

    [Fact]
    public void Flags_take_their_value_after_an_equals_sign_as_in_rnn_cluster()
    {
        var options = Parse([$"--seed-nodes={Seed}", "--port=0", "--threads=2"], _ => null);
        Assert.Equal((0, 2), (options.Node.Port, options.Threads));
    }

    [Fact]
    public void Without_host_port_or_once_the_worker_binds_every_interface_on_a_free_port_and_serves_for_ever()
    {
        var options = Parse(["--seed-nodes", Seed], _ => null);
        Assert.Equal(("0.0.0.0", 0, 1, false), (options.Node.Host, options.Node.Port, options.Threads, options.Once));
    }

    [Theory]
    [InlineData("0", false)]
    [InlineData("false", false)]
    [InlineData("true", true)]
    public void RNN_ONCE_reads_as_a_switch(string value, bool once)
        => Assert.Equal(once, Parse(["--seed-nodes", Seed], name => name == "RNN_ONCE" ? value : null).Once);

    [Fact]
    public void An_RNN_ONCE_that_is_not_a_switch_value_is_named()
    {
        var error = Assert.Throws<InputException>(() => Parse(["--seed-nodes", Seed], name => name == "RNN_ONCE" ? "yes please" : null));
        Assert.StartsWith("RNN_ONCE: expected 1 or 0", error.Message);
    }

    [Fact]
    public void Seed_nodes_are_required_naming_the_flag_and_its_variable()
    {
        var error = Assert.Throws<InputException>(() => Parse(["--threads", "2"], _ => null));
        Assert.Equal("rnn-worker: --seed-nodes ADDR,... (or RNN_SEED_NODES) is required, or --discovery MODE to find the cluster by bootstrap", error.Message);
    }

    [Fact]
    public void A_seed_list_without_an_address_is_refused()
    {
        var error = Assert.Throws<InputException>(() => Parse(["--seed-nodes", " , "], _ => null));
        Assert.StartsWith("--seed-nodes: expected akka.tcp://rnn-cluster@HOST:PORT", error.Message);
    }

    [Fact]
    public void A_bad_environment_value_is_named_by_its_variable()
    {
        var error = Assert.Throws<InputException>(() => Parse(["--seed-nodes", Seed], name => name == "RNN_PORT" ? "70000" : null));
        Assert.StartsWith("RNN_PORT", error.Message);
    }

    [Fact]
    public void An_unknown_flag_gets_the_nearest_name()
    {
        var error = Assert.Throws<InputException>(() => Parse(["--seed-nodes", Seed, "--thread", "2"], _ => null));
        Assert.Equal("unknown flag --thread for 'rnn-worker'; did you mean \"--threads\"?", error.Message);
    }

    [Fact]
    public void Help_lists_every_flag_with_its_environment_variable_as_rnn_cluster_does()
    {
        var help = Usage.Command(WorkerCommandLine.Spec);
        Assert.StartsWith("rnn-worker: ", help);
        foreach (var (flag, variable) in new[] { ("--seed-nodes ADDR,...", "RNN_SEED_NODES"), ("--host HOST", "RNN_HOST"),
                     ("--port PORT", "RNN_PORT"), ("--public-host NAME", "RNN_PUBLIC_HOST"), ("--threads N", "RNN_THREADS"), ("--once", "RNN_ONCE") })
            Assert.Matches($@"\n  {System.Text.RegularExpressions.Regex.Escape(flag)} +.*\[env {variable}\]", help);
    }
}
