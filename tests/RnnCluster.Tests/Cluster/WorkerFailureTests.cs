using System.Globalization;
using Xunit.Abstractions;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// Workers that die without a word (SIGKILL), as processes on 127.0.0.1: a lost worker costs its epoch a few
/// tenths of a second, not the failure detector's and the cluster's tens of seconds, and workers killed and
/// replaced every few seconds throughout a run cost it nothing but time. The model is the bytes of a run that
/// was never disturbed.
/// </summary>
public sealed class WorkerFailureTests(ITestOutputHelper log)
{
    [Fact(Timeout = 300_000)]
    public async Task A_worker_killed_mid_run_costs_its_epoch_at_most_5_s_and_no_bits()
    {
        // Each worker waits 20 ms per sample (the test hook, which takes no processor): an epoch takes about 0.4 s
        // on three workers however busy the machine is, so the kill lands inside a round, most likely on a shard.
        using var run = new ClusterTrainRun(epochs: 60);
        var undisturbed = run.Undisturbed();
        await using var cluster = run.StartSlowCluster(msPerSample: 20);
        var (victim, coordinator) = (cluster.Victim, cluster.Coordinator);
        var victimNode = await ClusterTrainRun.NodeOf(victim);
        await run.WaitForEpochs(20, coordinator);

        victim.KillHard();
        var killed = run.Clock.Elapsed;
        int diedIn = run.EpochsWritten + 1;

        Assert.Equal(0, await coordinator.WaitForExitAsync(ClusterTrainRun.Generous));
        var epochs = run.EpochSeconds();
        // The epoch being written when the kill came may be the one before: the slowest from there on is held to the bound.
        double normal = ClusterTrainRun.Median(epochs[..(diedIn - 2)]), slowest = epochs[(diedIn - 2)..].Max();
        var reissued = coordinator.TimeOf(line => line.StartsWith("shard re-issued: ", StringComparison.Ordinal) && line.Contains($"from {victimNode} ", StringComparison.Ordinal), killed);
        var lost = coordinator.TimeOf(line => line.StartsWith($"worker lost: {victimNode} ", StringComparison.Ordinal), killed);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"killed in epoch {diedIn}; epochs from {diedIn - 1} on took at most {slowest:0.000} s (epoch {diedIn}: {epochs[diedIn - 1]:0.000} s), a normal one {normal:0.000} s; " +
            $"its shard was re-issued {(reissued - killed)?.TotalSeconds:0.00} s after the kill, the worker reported lost after {(lost - killed)?.TotalSeconds:0.00} s"));
        Assert.True(reissued is not null, $"no shard of {victimNode} was re-issued after the kill:\n{string.Join('\n', coordinator.Output)}");
        Assert.True(slowest - normal <= 5, $"an epoch took {slowest:0.00} s after the kill, a normal one {normal:0.00} s");
        Assert.Equal(undisturbed, run.Model);
    }

    [Fact(Timeout = 300_000)]
    public async Task Each_killed_worker_is_noticed_within_a_second_by_its_closed_data_plane_connection()
    {
        // Four slow workers (10 ms a sample); three of them killed one after another at moments a few hundred
        // milliseconds apart from any epoch's start, so the kills land in different phases of the round: computing,
        // sending or forwarding sums, waiting for the next round, validating. Akka's failure detector takes seconds;
        // the closed connection and the refused port take milliseconds.
        using var run = new ClusterTrainRun(epochs: 40);
        var undisturbed = run.Undisturbed();
        await using var cluster = run.StartSlowCluster(msPerSample: 10, count: 4);
        var delays = new List<double>();
        foreach (var (victim, epoch, offsetMs) in new[] { (1, 4, 0), (2, 8, 130), (3, 12, 270) })
        {
            var worker = cluster.Workers[victim];
            var node = await ClusterTrainRun.NodeOf(worker);
            await run.WaitForEpochs(epoch, cluster.Coordinator);
            await Task.Delay(offsetMs);
            worker.KillHard();
            var killed = run.Clock.Elapsed;
            var lost = await cluster.Coordinator.WaitForLineAsync(line => line.StartsWith($"worker lost: {node} ", StringComparison.Ordinal), ClusterTrainRun.Generous);
            delays.Add((lost - killed).TotalSeconds);
        }

        Assert.Equal(0, await cluster.Coordinator.WaitForExitAsync(ClusterTrainRun.Generous));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"kills noticed after {string.Join(", ", delays.Select(d => $"{d:0.000} s"))}"));
        Assert.All(delays, delay => Assert.True(delay <= 1, $"a kill was noticed only after {delay:0.00} s: {string.Join(", ", delays)}"));
        Assert.Equal(undisturbed, run.Model);
    }

    [Fact(Timeout = 480_000)]
    public async Task Workers_killed_and_replaced_every_few_seconds_throughout_a_run_leave_its_bits_alone()
    {
        // Half a minute to a minute of training with churn: each worker waits 10 ms per sample (the test hook,
        // which takes no processor), so that an epoch takes at least 0.2 s however idle the machine is (0.5 s on
        // the loaded 2-core test machine), and 150 epochs see six kills or more.
        using var run = new ClusterTrainRun(epochs: 150);
        var undisturbed = run.Undisturbed();
        var workers = new List<ProgramProcess> { StartWorker(run), StartWorker(run), StartWorker(run) };
        await using var coordinator = run.StartCoordinator(minWorkers: 3);
        int kills = 0;
        try
        {
            await run.WaitForEpochs(1, coordinator);
            // Every 4 s the oldest worker taking part is killed and a new one started, which takes a few seconds to
            // join (more on a loaded machine: a worker still starting is not the one to kill); for at most two and a
            // half minutes, so that a run gone wrong ends the test.
            var churn = System.Diagnostics.Stopwatch.StartNew();
            while (!coordinator.HasExited && churn.Elapsed < TimeSpan.FromSeconds(150))
            {
                await Task.Delay(TimeSpan.FromSeconds(4));
                if (coordinator.HasExited) break;
                if (workers.FirstOrDefault(w => !w.HasExited && TakesPart(w, coordinator)) is not { } victim) continue;
                victim.KillHard();
                kills++;
                workers.Add(StartWorker(run));
            }
            int exitCode = await coordinator.WaitForExitAsync(ClusterTrainRun.Generous);

            int joined = coordinator.Output.Count(line => line.StartsWith("worker joined: ", StringComparison.Ordinal));
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{kills} workers killed and replaced in {run.EpochSeconds().Sum():0} s of training; {joined} joined in all; " +
                $"{coordinator.Output.Count(line => line.StartsWith("shard re-issued: ", StringComparison.Ordinal))} shards re-issued"));
            Assert.True(exitCode == 0, $"exit code {exitCode}: {string.Join('\n', coordinator.Errors.TakeLast(20))}");
            Assert.True(kills >= 6, $"only {kills} workers taking part were killed before the run ended");
            Assert.Equal(undisturbed, run.Model);
        }
        finally
        {
            foreach (var worker in workers) await worker.DisposeAsync();
        }
    }

    /// <summary>Whether the coordinator has said that <paramref name="worker"/> joined the job.</summary>
    private static bool TakesPart(ProgramProcess worker, ProgramProcess coordinator)
        => worker.Output.FirstOrDefault(line => line.StartsWith("joined as ", StringComparison.Ordinal)) is { } joined
            && coordinator.Output.Any(line => line.StartsWith($"worker joined: {joined["joined as ".Length..]} ", StringComparison.Ordinal));

    private static ProgramProcess StartWorker(ClusterTrainRun run)
        => run.StartWorker(new Dictionary<string, string> { [RnnCluster.Shared.Compute.Slowdown.PerSampleVariable] = "10" });
}
