using System.Diagnostics;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;
using RnnCluster.Tests.Cli;
using RnnCluster.Worker.Hosting;

namespace RnnCluster.Tests.Cluster;

/// <summary>`rnn-worker` as a user runs it: a separate process, configured by flags or RNN_* variables.</summary>
public class WorkerProcessTests
{
    private static readonly string WorkerDll = Path.Combine(AppContext.BaseDirectory, "rnn-worker.dll");

    [Fact(Timeout = 240_000)]
    public async Task Two_worker_processes_train_the_local_weights_bitwise()
    {
        var job = TestJobs.StackedLstmGru();
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        int port = LoopbackPort.Free();
        var environment = new Dictionary<string, string>
        {
            ["RNN_SEED_NODES"] = $"akka.tcp://{ActorSystemSettings.SystemName}@127.0.0.1:{port}",
            ["RNN_HOST"] = "127.0.0.1",
            ["RNN_PORT"] = "0",
        };
        var workers = new[] { StartWorker([], environment, captureErrors: false), StartWorker(["--threads", "2"], environment, captureErrors: false) };
        try
        {
            var clustered = await TrainingSession.RunClusterAsync(job, new ClusterOptions(new NodeOptions("127.0.0.1", port, null, []), MinWorkers: 2));
            Assert.Equal(local.Weights, clustered.Weights);
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
                worker.Dispose();
            }
        }
    }

    [Fact(Timeout = 240_000)]
    public async Task Train_in_cluster_mode_with_two_worker_processes_writes_the_local_model_file()
    {
        using var run = new RunFolder();
        var config = run.Write("stacked.json", WorkerCountDeterminismTests.Config);
        var localOut = run.File("local");
        Assert.Equal(0, CliRun.Of("train", "--config", config, "--out", localOut, "--workers", "1", "--quiet").ExitCode);

        int port = LoopbackPort.Free();
        var environment = new Dictionary<string, string>
        {
            ["RNN_SEED_NODES"] = $"{ActorSystemSettings.AddressPrefix}127.0.0.1:{port}",
            ["RNN_HOST"] = "127.0.0.1",
            ["RNN_PORT"] = "0",
        };
        var workers = new[] { StartWorker([], environment, captureErrors: false), StartWorker([], environment, captureErrors: false) };
        try
        {
            var clusterOut = run.File("cluster");
            var result = await Task.Run(() => CliRun.Of("train", "--config", config, "--out", clusterOut, "--quiet",
                "--cluster", "--host", "127.0.0.1", "--port", port.ToString(), "--min-workers", "2"));
            Assert.Equal(0, result.ExitCode);
            Assert.Equal(File.ReadAllBytes(Path.Combine(localOut, "model.safetensors")), File.ReadAllBytes(Path.Combine(clusterOut, "model.safetensors")));
        }
        finally
        {
            foreach (var worker in workers)
            {
                worker.Kill(entireProcessTree: true);
                await worker.WaitForExitAsync();
                worker.Dispose();
            }
        }
    }

    [Theory(Timeout = 60_000)]
    [InlineData("--bogus", "1")]
    [InlineData("--threads", "zero")]
    [InlineData("--seed-nodes", "http://somewhere:80")]
    public async Task A_bad_flag_exits_2_with_one_line_naming_it(string flag, string value)
    {
        using var worker = StartWorker(["--seed-nodes", "akka.tcp://rnn-cluster@127.0.0.1:1", flag, value], new Dictionary<string, string>(), captureErrors: true);
        string error = await worker.StandardError.ReadToEndAsync();
        await worker.WaitForExitAsync();
        Assert.Equal(2, worker.ExitCode);
        Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(flag, error);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_port_already_taken_exits_1_naming_the_address()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        using var worker = StartWorker(["--seed-nodes", "akka.tcp://rnn-cluster@127.0.0.1:1", "--host", "127.0.0.1", "--port", port.ToString()],
            new Dictionary<string, string>(), captureErrors: true);
        string error = await worker.StandardError.ReadToEndAsync();
        await worker.WaitForExitAsync();
        Assert.Equal(1, worker.ExitCode);
        Assert.Contains($"127.0.0.1:{port}", error);
        Assert.DoesNotContain("   at ", error);
    }

    private static Process StartWorker(string[] args, Dictionary<string, string> environment, bool captureErrors)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = captureErrors, RedirectStandardOutput = true };
        start.ArgumentList.Add(WorkerDll);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        return process;
    }
}
