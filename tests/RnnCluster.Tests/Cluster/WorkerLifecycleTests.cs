using System.Diagnostics;
using System.Globalization;
using RnnCluster.Tests.Cli;
using RnnCluster.Shared.Hosting;
using Xunit.Abstractions;
using static RnnCluster.Tests.Cluster.ProgramProcess;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// rnn-worker as a long-lived service (docs/contract.md): real `rnn-cluster train --cluster` coordinators and
/// `rnn-worker` processes on 127.0.0.1, coordinators that finish, die and come back on the same address.
/// </summary>
public sealed class WorkerLifecycleTests(ITestOutputHelper log) : IDisposable
{
    private static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    private readonly TempFolder _folder = new();
    private readonly int _port = LoopbackPort.Free();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private string Seed => $"{ActorSystemSettings.AddressPrefix}127.0.0.1:{_port}";

    public void Dispose() => _folder.Dispose();

    [Fact(Timeout = 300_000)]
    public async Task Once_exits_0_after_the_job_it_served_finished_with_the_local_model()
    {
        var config = _folder.Write("stacked.json", WorkerCountDeterminismTests.Config);
        var local = TrainLocally(config);
        await using var byFlag = StartWorker("--once");
        await using var byVariable = StartWorker(new Dictionary<string, string> { ["RNN_ONCE"] = "1" });
        await using var coordinator = StartCoordinator(config, "out", minWorkers: 2);

        Assert.Equal(0, await coordinator.WaitForExitAsync(Generous));
        Assert.Equal(0, await byFlag.WaitForExitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal(0, await byVariable.WaitForExitAsync(TimeSpan.FromMinutes(1)));

        Assert.Equal(local, File.ReadAllBytes(_folder.File("out/model.safetensors")));
        // The coordinator writes its results before it lets the workers go: in the compose demo a worker that
        // exits stops the coordinator's container too.
        var clockStarted = DateTime.UtcNow - _clock.Elapsed;
        var written = new[] { "model.safetensors", "model.json", "loss.png" }.Max(name => File.GetLastWriteTimeUtc(_folder.File($"out/{name}")));
        foreach (var worker in new[] { byFlag, byVariable })
        {
            var told = clockStarted + worker.TimeOf(line => line.StartsWith("job ", StringComparison.Ordinal) && line.EndsWith(" finished", StringComparison.Ordinal))!.Value;
            Assert.True(written <= told, $"the worker heard the job had finished {(written - told).TotalMilliseconds:0} ms before the results were written");
            Assert.Contains(worker.Output, line => line.StartsWith($"joined as {ActorSystemSettings.AddressPrefix}127.0.0.1:", StringComparison.Ordinal));
            Assert.Contains(worker.Output, line => line.StartsWith("job ", StringComparison.Ordinal) && line.Contains("lstm(6) → dropout(0.3) → gru(5) → dense(1)"));
            Assert.Equal("exiting: the job finished (--once)", worker.Output[^1]);
            AssertNoTraces(worker);
        }
        AssertNoTraces(coordinator);
    }

    [Fact(Timeout = 300_000)]
    public async Task Once_exits_1_when_its_coordinator_is_lost_for_a_minute()
    {
        var config = _folder.Write("stacked.json", WorkerCountDeterminismTests.Config);
        await using var worker = StartWorker("--once");
        await using var coordinator = StartCoordinator(config, "out", minWorkers: 1, "--epochs", "100000");
        await worker.WaitForLineAsync(line => line.StartsWith("job ", StringComparison.Ordinal), Generous);

        coordinator.KillHard();
        var killed = _clock.Elapsed;
        Assert.Equal(1, await worker.WaitForExitAsync(Generous));
        var waited = _clock.Elapsed - killed;

        log.WriteLine($"coordinator killed; the worker gave up {waited.TotalSeconds:0.0} s later");
        Assert.True(waited >= TimeSpan.FromMinutes(1), $"gave up after {waited.TotalSeconds:0.0} s");
        Assert.Contains(worker.Output, line => line == $"coordinator {Seed} is unreachable");
        Assert.Equal("exiting: no coordinator for 60 s (--once)", worker.Output[^1]);
        AssertNoTraces(worker);
    }

    [Fact(Timeout = 300_000)]
    public async Task A_worker_whose_coordinator_was_killed_serves_the_next_one_on_the_same_address_to_the_local_model()
    {
        var config = _folder.Write("stacked.json", WorkerCountDeterminismTests.Config);
        var local = TrainLocally(config);
        await using var worker = StartWorker();
        TimeSpan killed;
        await using (var first = StartCoordinator(config, "first", minWorkers: 1, "--epochs", "100000"))
        {
            await worker.WaitForLineAsync(line => line.StartsWith("job ", StringComparison.Ordinal), Generous);
            first.KillHard();
            killed = _clock.Elapsed;
        }
        await using var second = StartCoordinator(config, "second", minWorkers: 1);
        var restarted = _clock.Elapsed;

        Assert.Equal(0, await second.WaitForExitAsync(Generous));
        Assert.Equal(local, File.ReadAllBytes(_folder.File("second/model.safetensors")));

        var jobs = worker.Output.Where(line => line.StartsWith("job ", StringComparison.Ordinal) && !line.EndsWith(" finished", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, jobs.Length);
        var served = worker.TimeOf(line => line == jobs[1])!.Value;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rejoin: new job received {(served - killed).TotalSeconds:0.0} s after the coordinator was killed, {(served - restarted).TotalSeconds:0.0} s after the new one started"));
        log.WriteLine(string.Join('\n', worker.Output));
        Assert.Contains(worker.Output, line => line == $"coordinator {Seed} is unreachable");
        Assert.Contains(worker.Output, line => line == $"rejoining {Seed}");
        AssertNoTraces(worker);
    }

    [Fact(Timeout = 300_000)]
    public async Task Sigterm_leaves_the_cluster_and_exits_0()
    {
        var config = _folder.Write("stacked.json", WorkerCountDeterminismTests.Config);
        await using var worker = StartWorker();
        await using var coordinator = StartCoordinator(config, "out", minWorkers: 2);
        await worker.WaitForLineAsync(line => line == $"coordinator {Seed} is up", Generous);

        worker.Terminate();

        Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("exiting: stopped", worker.Output[^1]);
        AssertNoTraces(worker);

        // A worker that just vanished would be marked unreachable by the coordinator within a few seconds
        // (failure detection took about 5 s here); one that left is simply no longer a member.
        await Task.Delay(TimeSpan.FromSeconds(15));
        Assert.False(coordinator.HasExited);
        Assert.DoesNotContain(coordinator.Errors, line => line.Contains("UNREACHABLE", StringComparison.Ordinal));
    }

    private byte[] TrainLocally(string config)
    {
        var output = _folder.File("local");
        Assert.Equal(0, CliRun.Of("train", "--config", config, "--out", output, "--workers", "1", "--quiet").ExitCode);
        return File.ReadAllBytes(Path.Combine(output, "model.safetensors"));
    }

    private ProgramProcess StartWorker(params string[] flags) => StartWorker(new Dictionary<string, string>(), flags);

    private ProgramProcess StartWorker(Dictionary<string, string> environment, params string[] flags)
        => Start(WorkerProgram, ["--seed-nodes", Seed, "--host", "127.0.0.1", "--port=0", .. flags], environment, _clock);

    private ProgramProcess StartCoordinator(string config, string output, int minWorkers, params string[] flags)
        => Start(ClusterProgram, ["train", "--config", config, "--out", _folder.File(output), "--quiet", "--cluster", "--host", "127.0.0.1",
            "--port", _port.ToString(CultureInfo.InvariantCulture), "--min-workers", minWorkers.ToString(CultureInfo.InvariantCulture), .. flags],
            clock: _clock);

    /// <summary>No stack trace, nor Akka's report of a peer that closed its connection: ordinary when a member goes.</summary>
    private static void AssertNoTraces(ProgramProcess program)
    {
        Assert.DoesNotContain(program.Output.Concat(program.Errors), line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(program.Output.Concat(program.Errors), line => line.Contains("EndpointDisassociatedException", StringComparison.Ordinal));
    }
}
