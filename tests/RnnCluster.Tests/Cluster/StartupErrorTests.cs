using System.Net;
using System.Net.Sockets;
using RnnCluster.Tests.Cli;

namespace RnnCluster.Tests.Cluster;

/// <summary>A coordinator that cannot start says why in one line, exits 1 (2 for a wrong flag), and writes nothing into --out.</summary>
public class StartupErrorTests
{
    [Fact(Timeout = 120_000)]
    public async Task A_port_in_use_is_one_line_exit_1_and_nothing_written()
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", WorkerCountDeterminismTests.Config);
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        int port = ((IPEndPoint)taken.LocalEndpoint).Port;

        await using var coordinator = ProgramProcess.Start(ProgramProcess.ClusterProgram, ["train", "--config", config, "--out", folder.File("run"),
            "--cluster", "--host", "127.0.0.1", "--port", port.ToString()]);

        Assert.Equal(1, await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.Equal($"error: cannot listen on 127.0.0.1:{port}: Address already in use", Assert.Single(coordinator.Errors));
        Assert.Empty(coordinator.Output);
        Assert.False(Directory.Exists(folder.File("run")));
    }

    [Theory]
    [InlineData("--host", "no-such-host.invalid", "--host no-such-host.invalid: no address found for this name")]
    [InlineData("--public-host", "no-such-host.invalid", "--public-host no-such-host.invalid: no address found for this name")]
    [InlineData("--seed-nodes", "akka.tcp://another-system@127.0.0.1:4053", "--seed-nodes: 'akka.tcp://another-system@127.0.0.1:4053' names the actor system 'another-system'; every node's is 'rnn-cluster'")]
    public void A_wrong_cluster_flag_is_one_line_exit_2_and_nothing_written(string flag, string value, string message)
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", WorkerCountDeterminismTests.Config);
        string[] host = flag == "--host" ? [] : ["--host", "127.0.0.1"];

        var run = CliRun.Of(["train", "--config", config, "--out", folder.File("run"), "--cluster", "--port", "0", .. host, flag, value]);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"error: {message}", Assert.Single(run.StderrLines));
        Assert.False(Directory.Exists(folder.File("run")));
    }
}
