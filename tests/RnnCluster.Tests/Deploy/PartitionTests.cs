using System.Diagnostics;
using System.Globalization;
using RnnCluster.Tests.Cli;
using RnnCluster.Shared.Compute;
using Xunit.Abstractions;

namespace RnnCluster.Tests.Deploy;

/// <summary>
/// Partitions that heal within a minute, on deploy/netns-cluster.sh's network hosts: the coordinator's link cut
/// for 30 s and restored, then a worker's. Both sides give up on each other after 10 s (the coordinator downs
/// the workers it cannot hear, a worker downs itself), so every cut-off worker comes back as a new node once
/// its link does, and the run goes on to the model file of local mode. Needs root and iproute2, as
/// <see cref="NetnsClusterScriptTests"/> does.
/// </summary>
public sealed class PartitionTests(ITestOutputHelper log)
{
    private static readonly TimeSpan Cut = TimeSpan.FromSeconds(30);

    /// <summary>How long a rejoin may take once a link is back: Akka's join retries and the new node's start, on a loaded machine.</summary>
    private static readonly TimeSpan Rejoin = TimeSpan.FromSeconds(90);

    // Each worker waits 20 ms per sample (the test hook, which takes no processor): an epoch of three minibatches
    // of 16 sequences and a validation of 9 takes half a second or more on three workers. Training stands still
    // while the coordinator is cut off and goes on on two workers while one is; the cut-off worker is back after
    // some 50 epochs on the loaded 2-core test machine, at most 70 on an idle one, and 130 leave it a few dozen.
    private const int Epochs = 130;

    [Fact(Timeout = 600_000)]
    public async Task The_coordinators_link_and_then_a_workers_link_cut_for_30_s_cost_time_not_the_run_nor_its_bits()
    {
        DeployScript.RequireNetns();
        using var folder = new TempFolder();
        var (config, localOut) = DeployScript.StackedTrainedLocally(folder, Epochs);

        var name = "rnnp-" + Guid.NewGuid().ToString("N")[..8];
        var clusterOut = folder.File("cluster");
        var clock = Stopwatch.StartNew();
        var coordinatorLog = new LogWatch(folder.File("logs/coordinator.log"), clock);
        var workerLog = new LogWatch(folder.File("logs/worker-2.log"), clock);
        using var script = DeployScript.Start(new Dictionary<string, string> { [Slowdown.PerSampleVariable] = "20" }, "netns-cluster.sh",
            "run", "--name", name, "--workers", "3", "--bin", DeployScript.Programs, "--logs", folder.File("logs"), "--", "--config", config, "--out", clusterOut);
        try
        {
            await coordinatorLog.WaitFor(lines => lines.Any(l => l.StartsWith("epoch ", StringComparison.Ordinal)), Rejoin, script);
            var worker = (await workerLog.WaitFor(lines => lines.Any(l => l.StartsWith("joined as ", StringComparison.Ordinal)), Rejoin, script))
                .First(l => l.StartsWith("joined as ", StringComparison.Ordinal))["joined as ".Length..];

            // The coordinator cut off: it loses all three workers, downs them, and they come back as new nodes.
            var coordinatorCut = clock.Elapsed;
            await Cutting("coordinator", name, clock, coordinatorLog);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"coordinator cut off: the first shard re-issued as unreachable {(coordinatorLog.FirstSeen(l => l.StartsWith("shard re-issued: ", StringComparison.Ordinal) && l.Contains("(unreachable)", StringComparison.Ordinal), coordinatorCut) - coordinatorCut)?.TotalSeconds:0.0} s after the cut"));
            await coordinatorLog.WaitFor(lines => Count(lines, "worker joined: ") >= 6, Rejoin, script);
            log.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: all three workers joined again");

            // One worker cut off: its shard goes to the other two, and it comes back as a new node.
            var cut = clock.Elapsed;
            await Cutting("worker2", name, clock, coordinatorLog);
            var rejoined = await coordinatorLog.WaitFor(lines => Count(lines, $"worker joined: {worker} ") >= 3, Rejoin, script);
            log.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {worker} joined again, at epoch {rejoined.Count(l => l.StartsWith("epoch ", StringComparison.Ordinal))}");
            var lost = coordinatorLog.FirstSeen(l => l.StartsWith($"worker lost: {worker} ", StringComparison.Ordinal), cut);
            var reissued = coordinatorLog.FirstSeen(l => l.StartsWith("shard re-issued: ", StringComparison.Ordinal) && l.Contains($"from {worker} (", StringComparison.Ordinal), cut);
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"worker cut off: reported lost {(lost - cut)?.TotalSeconds:0.0} s after the cut, its shard re-issued {(reissued - cut)?.TotalSeconds:0.0} s after it (seen by polling the log every 0.1 s)"));

            int exitCode = await script.ExitCodeAsync();
            var output = coordinatorLog.Lines();
            Assert.True(exitCode == 0, $"netns-cluster.sh exited with {exitCode}:\n{script.Output}\n{string.Join('\n', output)}");
            Assert.True(output.SkipWhile(l => !l.StartsWith($"worker joined: {worker} ", StringComparison.Ordinal)).Skip(1)
                    .SkipWhile(l => !l.StartsWith($"worker joined: {worker} ", StringComparison.Ordinal)).Skip(1)
                    .SkipWhile(l => !l.StartsWith($"worker joined: {worker} ", StringComparison.Ordinal)).Skip(1)
                    .Any(l => l.StartsWith("epoch ", StringComparison.Ordinal)),
                "the run ended before the cut-off worker was back in it");
            Assert.Equal(File.ReadAllBytes(Path.Combine(localOut, "model.safetensors")), File.ReadAllBytes(Path.Combine(clusterOut, "model.safetensors")));
        }
        finally
        {
            await DeployScript.RunAsync("netns-cluster.sh", "down", "--name", name);
        }
        Assert.DoesNotContain(name, await NetnsClusterScriptTests.NamespacesAsync());
    }

    /// <summary>Cuts <paramref name="host"/>'s link for <see cref="Cut"/>, reading <paramref name="watch"/> meanwhile so that its lines' times hold.</summary>
    private async Task Cutting(string host, string name, Stopwatch clock, LogWatch watch)
    {
        Assert.Equal(0, await DeployScript.RunAsync("netns-cluster.sh", "cut", host, "--name", name));
        log.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {host}'s link cut");
        var cut = Stopwatch.StartNew();
        while (cut.Elapsed < Cut)
        {
            watch.Lines();
            await Task.Delay(100);
        }
        Assert.Equal(0, await DeployScript.RunAsync("netns-cluster.sh", "restore", host, "--name", name));
        log.WriteLine($"{clock.Elapsed.TotalSeconds:0.0} s: {host}'s link restored");
    }

    private static int Count(IEnumerable<string> lines, string start) => lines.Count(l => l.StartsWith(start, StringComparison.Ordinal));

    /// <summary>A node's log as the script writes it, read every 0.1 s; each line's time is when this first saw it.</summary>
    private sealed class LogWatch(string path, Stopwatch clock)
    {
        private readonly List<(string Line, TimeSpan Seen)> _lines = [];

        public string[] Lines()
        {
            Read();
            return _lines.Select(l => l.Line).ToArray();
        }

        /// <summary>When this first saw a line matching <paramref name="match"/> after <paramref name="after"/>, on the test's clock; null if never.</summary>
        public TimeSpan? FirstSeen(Func<string, bool> match, TimeSpan after)
        {
            Read();
            return _lines.Where(l => l.Seen >= after && match(l.Line)).Select(l => (TimeSpan?)l.Seen).FirstOrDefault();
        }

        public async Task<string[]> WaitFor(Func<string[], bool> condition, TimeSpan limit, DeployScript script)
        {
            var waited = Stopwatch.StartNew();
            while (true)
            {
                var lines = Lines();
                if (condition(lines)) return lines;
                if (script.HasExited || waited.Elapsed > limit)
                    Assert.Fail($"{(script.HasExited ? "the cluster stopped" : $"nothing after {limit.TotalSeconds:0} s")}; {Path.GetFileName(path)}:\n{string.Join('\n', lines.TakeLast(40))}\n{script.Output}");
                await Task.Delay(100);
            }
        }

        private void Read()
        {
            if (!File.Exists(path)) return;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            // The last piece is a line still being written (or empty after the final newline).
            for (int i = _lines.Count; i < all.Length - 1; i++) _lines.Add((all[i].TrimEnd('\r'), clock.Elapsed));
        }
    }
}
