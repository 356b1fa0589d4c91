using Rnn.Math;
using RnnCluster.Worker;

namespace RnnCluster.Tests.Cluster;

public class WorkerCommandLineTests
{
    private const string Seed = "akka.tcp://rnn-cluster@10.0.0.1:4053";

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
        };
        var options = WorkerCommandLine.Parse([], name => environment.GetValueOrDefault(name));
        Assert.Equal([Seed, "akka.tcp://rnn-cluster@10.0.0.2:4053"], options.Node.SeedNodes);
        Assert.Equal(("10.0.0.9", 4060, "worker-9", 3), (options.Node.Host, options.Node.Port, options.Node.PublicHost, options.Threads));
    }

    [Fact]
    public void A_flag_wins_over_its_environment_variable()
    {
        var options = WorkerCommandLine.Parse(["--seed-nodes", Seed, "--threads", "2"], name => name == "RNN_THREADS" ? "8" : null);
        Assert.Equal(2, options.Threads);
    }

    [Fact]
    public void Without_host_and_port_the_worker_binds_every_interface_on_a_free_port()
    {
        var options = WorkerCommandLine.Parse(["--seed-nodes", Seed], _ => null);
        Assert.Equal(("0.0.0.0", 0, 1), (options.Node.Host, options.Node.Port, options.Threads));
    }

    [Fact]
    public void Seed_nodes_are_required()
    {
        var error = Assert.Throws<InputException>(() => WorkerCommandLine.Parse(["--threads", "2"], _ => null));
        Assert.Contains("RNN_SEED_NODES", error.Message);
    }

    [Fact]
    public void A_bad_environment_value_is_named_by_its_variable()
    {
        var error = Assert.Throws<InputException>(() => WorkerCommandLine.Parse(["--seed-nodes", Seed], name => name == "RNN_PORT" ? "70000" : null));
        Assert.StartsWith("RNN_PORT", error.Message);
    }
}
