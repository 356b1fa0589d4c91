using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RnnCluster.Tests.Cli;
using RnnCluster.Shared;
using RnnCluster.Worker;
using RnnCluster.Shared.Hosting;
using Xunit.Abstractions;
using static RnnCluster.Tests.Cluster.ProgramProcess;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// docs/contract.md's signals and resume, with every program in its own process as a user runs them: SIGTERM
/// (what docker stop sends) checkpoints and exits 1 within 10 s in either mode; the resumed run, on another
/// number of workers, writes the bytes of a run that was never stopped; so does a coordinator killed outright
/// and resumed with its workers rejoining, and a run that a worker joins midway.
/// </summary>
public sealed class StopAndResumeTests(ITestOutputHelper log) : IDisposable
{
    private const int Epochs = 300;

    /// <summary>
    /// Local mode runs 300 of these epochs in well under a second once started, so SIGTERM could come after the run
    /// had ended (on a loaded CI host it once did): a local run is long enough to be stopped midway.
    /// </summary>
    private const int LocalEpochs = 2000;
    private static readonly TimeSpan ExitDeadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    private readonly TempFolder _folder = new();
    private readonly int _port = LoopbackPort.Free();

    private string Config => _folder.Write("config.json", WorkerCountDeterminismTests.Config);

    private string Run => _folder.File("run");

    private string Seed => $"{ActorSystemSettings.AddressPrefix}127.0.0.1:{_port}";

    public void Dispose() => _folder.Dispose();

    [Fact(Timeout = 300_000)]
    public async Task Sigterm_in_local_mode_checkpoints_exits_1_and_a_resume_on_three_workers_ends_on_the_undisturbed_bytes()
    {
        var config = Config;
        await using (var coordinator = Start(ClusterProgram, Train(config, LocalEpochs, "--workers", "2")))
            await StopWithSigterm(coordinator, LocalEpochs);

        Assert.Equal(0, CliRun.Of("train", "--resume", Run, "--workers", "3", "--quiet").ExitCode);

        Assert.Equal(Undisturbed(config, LocalEpochs), Model(Run));
        Assert.Equal(Enumerable.Range(1, LocalEpochs), MetricsEpochs());
    }

    [Fact(Timeout = 300_000)]
    public async Task Sigterm_in_cluster_mode_checkpoints_leaves_exits_1_and_a_resume_on_one_worker_that_fetches_its_samples_ends_on_the_undisturbed_bytes()
    {
        var config = Config;
        await using (var first = StartWorker())
        await using (var second = StartWorker())
        {
            await using (var coordinator = Start(ClusterProgram, [.. Train(config, Epochs), .. ClusterFlags(minWorkers: 2)]))
            {
                var stderr = await StopWithSigterm(coordinator, Epochs);
                Assert.Contains($"--cluster --host 127.0.0.1 --port {_port} --min-workers 2", stderr);
            }
            // The coordinator left rather than vanished: its workers say so and go back to the seed nodes.
            await first.WaitForLineAsync(line => line.StartsWith($"coordinator {Seed} left", StringComparison.Ordinal), Generous);
        }

        // The resumed run's worker has no copy of the run's data file (moved away once the coordinator has mapped it):
        // it fetches its shards' samples, and the bytes are still those of a run never stopped.
        await using (var resumed = Start(ClusterProgram, ["train", "--resume", Run, .. ClusterFlags(minWorkers: 1)]))
        {
            await resumed.WaitForLineAsync(line => line.StartsWith("waiting for workers", StringComparison.Ordinal), Generous);
            File.Move(Path.Combine(Run, "data.safetensors"), _folder.File("data.elsewhere"));
            await using var worker = StartWorker();
            Assert.Equal(0, await resumed.WaitForExitAsync(Generous));
            Assert.Contains(worker.Output, line => line.EndsWith("; each shard's samples fetched from the coordinator", StringComparison.Ordinal));
        }

        Assert.Equal(Undisturbed(config, Epochs), Model(Run));
        Assert.Equal(Enumerable.Range(1, Epochs), MetricsEpochs());
    }

    [Fact(Timeout = 300_000)]
    public async Task A_second_ctrl_c_while_the_first_is_stopping_the_run_ends_the_process_at_once()
    {
        // Steps of 256 sequences of 100 timesteps through an LSTM(256) on one worker: a Ctrl+C waits for the step
        // being computed (at most 3 s), so a second one 100 ms later finds the first still stopping the run.
        var config = _folder.Write("long-steps.json", """
            {
              "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 256 }, { "type": "dense", "units": 1 } ] },
              "data": { "source": "synthetic", "generator": "sine", "samples": 1024, "timesteps": 100, "seed": 1 },
              "training": { "epochs": 50, "batchSize": 256, "loss": "mse", "seed": 42, "optimizer": { "type": "adam", "learningRate": 0.001 } }
            }
            """);
        await using var coordinator = Start(ClusterProgram, Train(config, 50, "--workers", "1", "--checkpoint-every", "1"));
        await WaitForCheckpoint(coordinator);
        coordinator.Interrupt();
        await Task.Delay(100);
        coordinator.Interrupt();
        var signalled = Stopwatch.StartNew();
        int exitCode = await coordinator.WaitForExitAsync(TimeSpan.FromMinutes(1));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"second Ctrl+C to exit: {signalled.Elapsed.TotalSeconds:0.00} s, exit code {exitCode}"));

        // The runtime's own SIGINT ending (128 + 2), not the clean stop's exit 1 with its resume command.
        Assert.Equal(130, exitCode);
        Assert.DoesNotContain(coordinator.Errors, line => line.StartsWith("resume with:", StringComparison.Ordinal));
    }

    [Fact(Timeout = 300_000)]
    public async Task A_killed_coordinator_resumed_with_its_workers_rejoining_ends_on_the_undisturbed_bytes()
    {
        var config = Config;
        await using var first = StartWorker();
        await using var second = StartWorker();
        await using (var killed = Start(ClusterProgram, [.. Train(config, Epochs), .. ClusterFlags(minWorkers: 2)]))
        {
            await WaitForCheckpoint(killed);
            killed.KillHard();
        }
        var clock = Stopwatch.StartNew();

        await using var resumed = Start(ClusterProgram, ["train", "--resume", Run, .. ClusterFlags(minWorkers: 2)]);

        Assert.Equal(0, await resumed.WaitForExitAsync(Generous));
        var joined = resumed.TimeOf(line => line.StartsWith("waiting for workers: 2/2", StringComparison.Ordinal)
            || line.StartsWith("worker joined: ", StringComparison.Ordinal) && line.EndsWith("(2 workers)", StringComparison.Ordinal));
        log.WriteLine($"both workers back {joined?.TotalSeconds:0.0} s after the resumed coordinator started ({clock.Elapsed.TotalSeconds:0.0} s in all)");
        Assert.StartsWith("resuming from ", resumed.Output[0]);
        Assert.Equal(Undisturbed(config, Epochs), Model(Run));
        Assert.Equal(Enumerable.Range(1, Epochs), MetricsEpochs());
    }

    [Fact(Timeout = 300_000)]
    public async Task A_worker_joining_midway_takes_part_and_the_run_ends_on_the_undisturbed_bytes()
    {
        // Long enough for the second worker to join: it starts in this (already compiled) process, so it joins
        // within a few gossip rounds; on a loaded 2-core machine it took part from about epoch 170 on, on a Zen 5 one
        // as late as epoch 590 of 600 (joining took 1.3-2.3 s while the epochs ran faster), and once not at all.
        const int epochs = 2000;
        var config = Config;
        await using var first = StartWorker();
        var clock = Stopwatch.StartNew();
        await using var coordinator = Start(ClusterProgram, [.. Train(config, epochs), .. ClusterFlags(minWorkers: 1)], clock: clock);
        await WaitFor(() => MetricsEpochs().Length > 0, coordinator, "the first epoch");

        using var second = ClusterNode.Build(new NodeOptions("127.0.0.1", 0, null, [Seed]), ClusterNode.WorkerRole,
            system => system.ActorOf(WorkerActor.Props(threads: 1), WorkerActor.Name));
        var starting = clock.Elapsed;
        try
        {
            await second.StartAsync();
            Assert.Equal(0, await coordinator.WaitForExitAsync(Generous));
        }
        finally
        {
            await second.StopAsync();
        }
        var joined = coordinator.TimeOf(line => line.StartsWith("worker joined: ", StringComparison.Ordinal) && line.EndsWith("(2 workers)", StringComparison.Ordinal));
        log.WriteLine($"the second worker joined {(joined - starting)?.TotalSeconds:0.0} s after it started, in epoch {Array.IndexOf(Metrics("workers"), 2) + 1} of {epochs}");

        Assert.Contains($"waiting for workers: 0/1 joined, seed {Seed}", coordinator.Output);
        Assert.Equal(2, coordinator.Output.Count(line => line.StartsWith("worker joined: ", StringComparison.Ordinal)));
        // It took part: some epoch after it joined was computed by both. Not necessarily the last one: a worker whose
        // pace lags (this one shares the test host's cores with the other tests) may be given no shard for a while.
        Assert.Contains(2, Metrics("workers"));
        Assert.Equal(Undisturbed(config, epochs), Model(Run));
    }

    /// <summary>Waits for the run's first checkpoint, sends SIGTERM, and checks the exit: code 1 within 10 s, the resume command said.</summary>
    private async Task<string> StopWithSigterm(ProgramProcess coordinator, int epochs)
    {
        await WaitForCheckpoint(coordinator);
        var signalled = Stopwatch.StartNew();
        coordinator.Terminate();
        int exitCode = await coordinator.WaitForExitAsync(TimeSpan.FromMinutes(1));
        var toExit = signalled.Elapsed;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SIGTERM to exit: {toExit.TotalSeconds:0.00} s"));
        var stderr = string.Join('\n', coordinator.Errors);
        Assert.True(exitCode == 1, $"exit code {exitCode}: {stderr}");
        Assert.True(toExit < ExitDeadline, $"SIGTERM to exit took {toExit.TotalSeconds:0.0} s");
        Assert.Matches($"stopped .*; checkpoint {System.Text.RegularExpressions.Regex.Escape(Run)}/checkpoints/checkpoint-epoch", stderr);
        Assert.Contains($"resume with: rnn-cluster train --resume {Run}", stderr);
        Assert.True(MetricsEpochs().Length < epochs, "the run ended before SIGTERM reached it");
        return stderr;
    }

    /// <summary>Until a whole checkpoint is there: the one being written is a hidden temporary file beside it until renamed.</summary>
    private Task WaitForCheckpoint(ProgramProcess coordinator) => WaitFor(
        () => Directory.Exists(Path.Combine(Run, "checkpoints"))
            && Directory.GetFiles(Path.Combine(Run, "checkpoints")).Any(f => !Path.GetFileName(f).StartsWith('.')),
        coordinator, "a checkpoint");

    private static async Task WaitFor(Func<bool> condition, ProgramProcess program, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (program.HasExited) Assert.Fail($"exited before {what}: {string.Join('\n', program.Errors)}");
            if (deadline.Elapsed > Generous) Assert.Fail($"no {what} after {Generous.TotalMinutes} minutes: {string.Join('\n', program.Output.Concat(program.Errors))}");
            await Task.Delay(20);
        }
    }

    private byte[] Undisturbed(string config, int epochs)
    {
        var reference = _folder.File("undisturbed");
        Assert.Equal(0, CliRun.Of(["train", "--config", config, "--out", reference, "--epochs", Number(epochs), "--workers", "1", "--quiet"]).ExitCode);
        return Model(reference);
    }

    private string[] Train(string config, int epochs, params string[] more) =>
        ["train", "--config", config, "--out", Run, "--epochs", Number(epochs), .. more];

    private string[] ClusterFlags(int minWorkers) =>
        ["--cluster", "--host", "127.0.0.1", "--port", Number(_port), "--min-workers", Number(minWorkers)];

    private ProgramProcess StartWorker() => Start(WorkerProgram, ["--seed-nodes", Seed, "--host", "127.0.0.1", "--port=0"]);

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static byte[] Model(string run) => File.ReadAllBytes(Path.Combine(run, "model.safetensors"));

    private int[] MetricsEpochs() => Metrics("epoch");

    private int[] Metrics(string field)
    {
        var path = Path.Combine(Run, "metrics.jsonl");
        return File.Exists(path)
            ? File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement.GetProperty(field).GetInt32()).ToArray()
            : [];
    }
}
