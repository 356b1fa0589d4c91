using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Protocol;
using static RnnCluster.Tests.Cluster.ProgramProcess;

namespace RnnCluster.Tests.Cluster;

/// <summary>`rnn-worker` as a user runs it: a separate process, configured by flags or RNN_* variables.</summary>
public class WorkerProcessTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    [Fact(Timeout = 240_000)]
    public async Task Two_worker_processes_train_the_local_weights_bitwise()
    {
        var job = TestJobs.StackedLstmGru();
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        int port = LoopbackPort.Free();
        var environment = Joining(port);
        await using var first = Start(WorkerProgram, [], environment);
        await using var second = Start(WorkerProgram, ["--threads", "2"], environment);
        var clustered = await TrainingSession.RunClusterAsync(job, new ClusterOptions(new NodeOptions("127.0.0.1", port, null, []), MinWorkers: 2));
        Assert.Equal(local.Weights, clustered.Weights);
    }

    [Fact(Timeout = 240_000)]
    public async Task A_worker_process_sent_malformed_weights_refuses_them_in_one_line_and_the_run_keeps_the_local_weights()
    {
        var job = TestJobs.StackedLstmGru();
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        int port = LoopbackPort.Free();
        var environment = Joining(port);
        await using var worker = Start(WorkerProgram, [], environment);
        var session = SessionOptions.Default with { Faults = new TestFaults(WeightsOffsetVersion: 3) };

        var clustered = await TrainingSession.RunClusterAsync(job, new ClusterOptions(new NodeOptions("127.0.0.1", port, null, []), MinWorkers: 1),
            session, CancellationToken.None);

        Assert.Equal(local.Weights, clustered.Weights);
        await worker.WaitForLineAsync(line => line.Contains(" refused frame Weights part 0 tag 3 "), Limit);
        var refusal = Assert.Single(worker.Output, line => line.Contains("refused"));
        Assert.Matches(@"^job [0-9a-f]{8}: refused frame Weights part 0 tag 3 node \(0, 0\) offset (\d+) count \d+: not a segment of the weights \(\d+ values\); waiting for the job to be sent again$", refusal);
    }

    /// <summary>The environment of a worker joining the coordinator on <paramref name="port"/> from any free port of its own.</summary>
    private static Dictionary<string, string> Joining(int port) => new()
    {
        ["RNN_SEED_NODES"] = $"{ActorSystemSettings.AddressPrefix}127.0.0.1:{port}",
        ["RNN_HOST"] = "127.0.0.1",
        ["RNN_PORT"] = "0",
    };

    [Fact(Timeout = 60_000)]
    public async Task Help_lists_the_flags_and_exits_0()
    {
        await using var worker = Start(WorkerProgram, ["--help"]);
        Assert.Equal(0, await worker.WaitForExitAsync(Limit));
        Assert.StartsWith("rnn-worker: ", worker.Output[0]);
        Assert.Contains(worker.Output, line => line.StartsWith("  --once ", StringComparison.Ordinal) && line.EndsWith("[env RNN_ONCE]", StringComparison.Ordinal));
        Assert.Empty(worker.Errors);
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--bogus=1", "unknown flag --bogus for 'rnn-worker'")]
    [InlineData("--thread=2", "unknown flag --thread for 'rnn-worker'; did you mean \"--threads\"?")]
    [InlineData("--threads=zero", "--threads: expected a positive integer, got 'zero'")]
    [InlineData("--port=65536", "--port: expected a port number from 0 to 65535 (0: any free port), got '65536'")]
    [InlineData("--seed-nodes=http://somewhere:80", "--seed-nodes: expected addresses like akka.tcp://rnn-cluster@HOST:PORT, got 'http://somewhere:80'")]
    [InlineData("--seed-nodes=akka.tcp://training@127.0.0.1:4053", "--seed-nodes: 'akka.tcp://training@127.0.0.1:4053' names the actor system 'training'; every node's is 'rnn-cluster' (akka.tcp://rnn-cluster@HOST:PORT)")]
    [InlineData("--discovery=dns", "--discovery: expected config or kubernetes, got 'dns'")]
    [InlineData("--discovery=kubernetes", "RNN_SEED_NODES and --discovery: give one way to find the cluster, not both")]
    public async Task A_bad_flag_exits_2_with_one_line_naming_it(string flag, string message)
    {
        var seed = new Dictionary<string, string> { ["RNN_SEED_NODES"] = "akka.tcp://rnn-cluster@127.0.0.1:1" };
        await using var worker = Start(WorkerProgram, [flag], seed);
        Assert.Equal(2, await worker.WaitForExitAsync(Limit));
        Assert.Equal([$"error: {message}"], worker.Errors);
        Assert.Empty(worker.Output);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_port_already_taken_exits_1_with_one_line_naming_the_address()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        await using var worker = Start(WorkerProgram, ["--seed-nodes", "akka.tcp://rnn-cluster@127.0.0.1:1", "--host", "127.0.0.1", "--port", port.ToString()]);
        Assert.Equal(1, await worker.WaitForExitAsync(Limit));
        Assert.Equal([$"error: cannot listen on 127.0.0.1:{port}: Address already in use"], worker.Errors);
        Assert.Empty(worker.Output);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_host_that_does_not_resolve_exits_1_with_one_line_naming_it()
    {
        await using var worker = Start(WorkerProgram, ["--seed-nodes", "akka.tcp://rnn-cluster@127.0.0.1:1", "--host", "no-such-host.invalid"]);
        Assert.Equal(1, await worker.WaitForExitAsync(Limit));
        var error = Assert.Single(worker.Errors);
        Assert.StartsWith("error: cannot listen on no-such-host.invalid: the name does not resolve", error);
        Assert.Empty(worker.Output);
    }
}
