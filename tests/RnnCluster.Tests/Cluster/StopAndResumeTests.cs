using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RnnCluster.Tests.Cli;
using RnnCluster.Worker;
using RnnCluster.Worker.Hosting;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// docs/contract.md's signals and resume, with every program in its own process as a user runs them: SIGTERM
/// (what docker stop sends) checkpoints and exits 1 within 10 s in either mode, and the resumed run, on another
/// number of workers, writes the bytes of a run that was never stopped; so does a run that a worker joins midway.
/// </summary>
public class StopAndResumeTests
{
    private const int Epochs = 300;
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(10);

    [Fact(Timeout = 300_000)]
    public async Task Sigterm_in_local_mode_checkpoints_exits_1_and_a_resume_on_three_workers_ends_on_the_undisturbed_bytes()
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", WorkerCountDeterminismTests.Config);
        var run = folder.File("run");
        using (var coordinator = ProgramProcess.Cluster(Train(config, run, Epochs, "--workers", "2")))
            await StopWithSigterm(coordinator, run);

        Assert.Equal(0, CliRun.Of("train", "--resume", run, "--workers", "3", "--quiet").ExitCode);

        Assert.Equal(Undisturbed(folder, config, Epochs), File.ReadAllBytes(Path.Combine(run, "model.safetensors")));
        Assert.Equal(Enumerable.Range(1, Epochs), MetricsEpochs(run));
    }

    [Fact(Timeout = 300_000)]
    public async Task Sigterm_in_cluster_mode_checkpoints_leaves_exits_1_and_a_resume_on_one_worker_ends_on_the_undisturbed_bytes()
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", WorkerCountDeterminismTests.Config);
        var run = folder.File("run");
        int port = LoopbackPort.Free();
        string[] cluster = ["--cluster", "--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture)];
        using (var first = ProgramProcess.Worker(WorkerEnvironment(port)))
        using (var second = ProgramProcess.Worker(WorkerEnvironment(port)))
        using (var coordinator = ProgramProcess.Cluster([.. Train(config, run, Epochs), .. cluster, "--min-workers", "2"]))
        {
            var stderr = await StopWithSigterm(coordinator, run);
            Assert.Contains($"--cluster --host 127.0.0.1 --port {port} --min-workers 2", stderr);
        }

        using (ProgramProcess.Worker(WorkerEnvironment(port)))
            Assert.Equal(0, CliRun.Of(["train", "--resume", run, .. cluster, "--min-workers", "1", "--quiet"]).ExitCode);

        Assert.Equal(Undisturbed(folder, config, Epochs), File.ReadAllBytes(Path.Combine(run, "model.safetensors")));
        Assert.Equal(Enumerable.Range(1, Epochs), MetricsEpochs(run));
    }

    [Fact(Timeout = 300_000)]
    public async Task A_worker_joining_midway_takes_part_and_the_run_ends_on_the_undisturbed_bytes()
    {
        // Long enough for the second worker to join: it starts in this (already compiled) process, so it joins
        // within a few gossip rounds; on a loaded 2-core machine it took part from epoch 172 on.
        const int epochs = 600;
        using var folder = new TempFolder();
        var config = folder.Write("config.json", WorkerCountDeterminismTests.Config);
        var run = folder.File("run");
        int port = LoopbackPort.Free();
        using var first = ProgramProcess.Worker(WorkerEnvironment(port));
        using var coordinator = ProgramProcess.Cluster([.. Train(config, run, epochs), "--cluster", "--host", "127.0.0.1",
            "--port", port.ToString(CultureInfo.InvariantCulture), "--min-workers", "1"]);
        await WaitFor(() => MetricsEpochs(run).Length > 0, coordinator, "the first epoch");

        using var second = ClusterNode.Build(new NodeOptions("127.0.0.1", 0, null, [Seed(port)]), ClusterNode.WorkerRole,
            system => system.ActorOf(WorkerActor.Props(threads: 1), WorkerActor.Name));
        try
        {
            await second.StartAsync();
            Assert.True(await coordinator.WaitForExitAsync(TimeSpan.FromMinutes(4)), "the run did not end");
        }
        finally
        {
            await second.StopAsync();
        }

        Assert.Equal(0, coordinator.ExitCode);
        Assert.Contains($"waiting for workers: 0/1 joined, seed {Seed(port)}", coordinator.Stdout);
        Assert.Equal(2, coordinator.Stdout.Split('\n').Count(line => line.StartsWith("worker joined: ", StringComparison.Ordinal)));
        Assert.Equal(2, MetricsWorkers(run)[^1]);
        Assert.Equal(Undisturbed(folder, config, epochs), File.ReadAllBytes(Path.Combine(run, "model.safetensors")));
    }

    /// <summary>Waits for the run's first checkpoint, sends SIGTERM, and checks the exit: code 1 within 10 s, the resume command said.</summary>
    private static async Task<string> StopWithSigterm(ProgramProcess coordinator, string run)
    {
        await WaitFor(() => Directory.Exists(Path.Combine(run, "checkpoints")) && Directory.GetFiles(Path.Combine(run, "checkpoints")).Length > 0,
            coordinator, "a checkpoint");
        var signalled = Stopwatch.StartNew();
        coordinator.Signal(ProgramProcess.SigTerm);
        Assert.True(await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(60)), "no exit after SIGTERM");
        var toExit = signalled.Elapsed;
        Assert.True(coordinator.ExitCode == 1, $"exit code {coordinator.ExitCode}: {coordinator.Stderr}");
        Assert.True(toExit < ExitDeadline, $"SIGTERM to exit took {toExit.TotalSeconds:0.0} s");
        var stderr = coordinator.Stderr;
        Assert.Matches($"stopped .*; checkpoint {System.Text.RegularExpressions.Regex.Escape(run)}/checkpoints/checkpoint-epoch", stderr);
        Assert.Contains($"resume with: rnn-cluster train --resume {run}", stderr);
        Assert.True(MetricsEpochs(run).Length < Epochs, "the run ended before SIGTERM reached it");
        return stderr;
    }

    private static async Task WaitFor(Func<bool> condition, ProgramProcess program, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (program.HasExited) Assert.Fail($"exited with {program.ExitCode} before {what}: {program.Stderr}");
            if (deadline.Elapsed > TimeSpan.FromMinutes(2)) Assert.Fail($"no {what} after two minutes: {program.Stdout}{program.Stderr}");
            await Task.Delay(20);
        }
    }

    private static byte[] Undisturbed(TempFolder folder, string config, int epochs)
    {
        var reference = folder.File("undisturbed");
        Assert.Equal(0, CliRun.Of(Train(config, reference, epochs, "--workers", "1", "--quiet")).ExitCode);
        return File.ReadAllBytes(Path.Combine(reference, "model.safetensors"));
    }

    private static string[] Train(string config, string run, int epochs, params string[] more) =>
        ["train", "--config", config, "--out", run, "--epochs", epochs.ToString(CultureInfo.InvariantCulture), .. more];

    private static string Seed(int port) => $"{ActorSystemSettings.AddressPrefix}127.0.0.1:{port}";

    private static Dictionary<string, string> WorkerEnvironment(int port) => new()
    {
        ["RNN_SEED_NODES"] = Seed(port),
        ["RNN_HOST"] = "127.0.0.1",
        ["RNN_PORT"] = "0",
    };

    private static int[] MetricsEpochs(string run) => Metrics(run, "epoch");

    private static int[] MetricsWorkers(string run) => Metrics(run, "workers");

    private static int[] Metrics(string run, string field)
    {
        var path = Path.Combine(run, "metrics.jsonl");
        return File.Exists(path)
            ? File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement.GetProperty(field).GetInt32()).ToArray()
            : [];
    }
}
