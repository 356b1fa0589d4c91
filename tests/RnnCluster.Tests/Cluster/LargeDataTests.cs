using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Xunit.Abstractions;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// Data bigger than memory: a safetensors file several times larger than what each process may hold (a memory cgroup
/// each: the coordinator and two workers) trains on a cluster, every node mapping its own copy in place instead of
/// being sent one, and ends on the bytes of the same run in local mode; so does a CSV whose windows are that large,
/// cut one at a time into the run's file, and the file on the coordinator's node only, the workers fetching the
/// samples of each shard.
/// </summary>
public sealed partial class LargeDataTests(ITestOutputHelper log)
{
    private const int Samples = 1_000_000, Timesteps = 25, Features = 10;
    private const long LimitBytes = 256L << 20;

    private const string Config = """
        {
          "model": { "inputSize": 10, "layers": [ { "type": "rnn", "units": 4 }, { "type": "dense", "units": 1 } ] },
          "data": { "source": "safetensors", "path": "large.safetensors", "validationSplit": 0.01 },
          "training": { "epochs": 1, "batchSize": 4096, "loss": "mse", "seed": 3, "groupSize": 64 }
        }
        """;

    [Fact(Timeout = 600_000)]
    public async Task A_file_several_times_what_each_process_may_hold_trains_on_two_workers_to_the_local_model()
    {
        using var run = new ClusterTrainRun(epochs: 1, Config);
        long bytes = Write(run.DataPath("large.safetensors"));
        var undisturbed = run.Undisturbed();
        // The local run read the file into the page cache, charged to this process: out with it, so that every page
        // the cluster reads is charged to the process that reads it.
        Evict(run.DataPath("large.safetensors"));
        var (peaks, _) = await TrainLimited(run, "", $"data {bytes / 1e6:0} MB");
        Assert.True(bytes > 3 * LimitBytes, $"the data ({bytes} bytes) is not three times the limit");
        Assert.True(peaks[1] + peaks[2] > LimitBytes / 4, "the workers' groups held next to nothing: they did not read the data themselves");
        Assert.All(peaks, peak => Assert.True(peak <= LimitBytes, $"a process held {peak} bytes"));
        Assert.Equal(undisturbed, run.Model);
    }

    [Fact(Timeout = 600_000)]
    public async Task A_file_only_the_coordinator_holds_trains_on_two_workers_that_fetch_their_shards_within_their_memory_to_the_local_model()
    {
        using var run = new ClusterTrainRun(epochs: 1, Config);
        string path = run.DataPath("large.safetensors");
        long bytes = Write(path);
        var undisturbed = run.Undisturbed();
        Evict(path);
        // The coordinator has hashed and mapped the file once it waits for workers; from then on the workers' nodes
        // have no copy of it at that path (the coordinator keeps its mapping of the file, as a file another machine
        // holds would be).
        var (peaks, workers) = await TrainLimited(run, "fetch-", $"data {bytes / 1e6:0} MB on the coordinator only", async coordinator =>
        {
            await coordinator.WaitForLineAsync(line => line.StartsWith("waiting for workers", StringComparison.Ordinal), ClusterTrainRun.Generous);
            File.Move(path, path + ".elsewhere");
        });
        foreach (var output in workers)
        {
            Assert.Contains(output, line => line.EndsWith("; each shard's samples fetched from the coordinator", StringComparison.Ordinal));
            log.WriteLine(string.Join('\n', output.Where(line => line.Contains(" fetched samples ", StringComparison.Ordinal))));
        }
        // A worker sent the data would hold the whole of it, more than three times its limit; these hold a few shards.
        Assert.True(bytes > 3 * LimitBytes, $"the data ({bytes} bytes) is not three times the limit");
        Assert.All(peaks, peak => Assert.True(peak <= LimitBytes, $"a process held {peak} bytes"));
        Assert.Equal(undisturbed, run.Model);
    }

    private const int CsvRows = 1_100_000;

    private const string CsvConfig = """
        {
          "model": { "inputSize": 2, "layers": [ { "type": "rnn", "units": 4 }, { "type": "dense", "units": 1 } ] },
          "data": { "source": "csv", "path": "large.csv", "columns": ["a", "b"], "target": "b", "timesteps": 100, "validationSplit": 0.01 },
          "training": { "epochs": 1, "batchSize": 4096, "loss": "mse", "seed": 3, "groupSize": 64 }
        }
        """;

    [Fact(Timeout = 600_000)]
    public async Task A_csv_whose_windows_are_several_times_what_each_process_may_hold_is_written_window_by_window_and_trains_to_the_local_model()
    {
        // 1.1 million rows of two columns (9 MB of floats) in windows of 100 steps: 880 MB of windows, which the
        // coordinator cuts one at a time into the run's data.safetensors instead of building them.
        using var run = new ClusterTrainRun(epochs: 1, CsvConfig);
        using (var csv = new StreamWriter(run.DataPath("large.csv")))
        {
            csv.Write("a,b\n");
            for (int i = 0; i < CsvRows; i++)
                csv.Write(string.Create(CultureInfo.InvariantCulture, $"{Math.Sin(i * 0.01):0.000},{Math.Cos(i * 0.013):0.000}\n"));
        }
        var undisturbed = run.Undisturbed();
        await TrainLimited(run, "csv-", $"windows of a CSV of {CsvRows:N0} rows");
        // Each process's peak reaches its limit (the file's pages fill what is left, and are reclaimed as the limit is
        // met); the kernel holds it there, and kills a process whose own memory, which cannot be reclaimed, would pass
        // it: the windows built in arrays would be 880 MB of that. The run ending well is the proof.
        long windowBytes = new FileInfo(Path.Combine(run.Out, "data.safetensors")).Length;
        Assert.True(windowBytes > 3 * LimitBytes, $"the windows ({windowBytes} bytes) are not three times the limit");
        Assert.Equal(undisturbed, run.Model);
    }

    /// <summary>
    /// The cluster run with its coordinator and two workers each in a memory cgroup of <see cref="LimitBytes"/>; it must
    /// end well. The workers start first, unless <paramref name="beforeWorkers"/> is given: then the coordinator does,
    /// and the workers once that is done with it. Returns each process's peak (page cache included), logged after
    /// <paramref name="what"/>, and the workers' output.
    /// </summary>
    private async Task<(long[] Peaks, string[][] Workers)> TrainLimited(ClusterTrainRun run, string prefix, string what, Func<ProgramProcess, Task>? beforeWorkers = null)
    {
        using var coordinatorLimit = new MemoryLimit(prefix + "coordinator", LimitBytes);
        using var firstLimit = new MemoryLimit(prefix + "worker1", LimitBytes);
        using var secondLimit = new MemoryLimit(prefix + "worker2", LimitBytes);
        ProgramProcess? coordinator = null;
        if (beforeWorkers is not null)
        {
            coordinator = run.StartCoordinator(minWorkers: 2);
            coordinatorLimit.Add(coordinator.Id);
            await beforeWorkers(coordinator);
        }
        await using var first = run.StartWorker();
        firstLimit.Add(first.Id);
        await using var second = run.StartWorker();
        secondLimit.Add(second.Id);
        if (coordinator is null)
        {
            coordinator = run.StartCoordinator(minWorkers: 2);
            coordinatorLimit.Add(coordinator.Id);
        }
        await using var started = coordinator;

        int exit = await coordinator.WaitForExitAsync(ClusterTrainRun.Generous);
        Assert.True(exit == 0, $"exit {exit}: {string.Join('\n', coordinator.Output.Concat(coordinator.Errors).TakeLast(20))}");
        long[] peaks = [coordinatorLimit.Peak, firstLimit.Peak, secondLimit.Peak];
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}; peak memory (page cache included) of coordinator, worker 1, worker 2: {string.Join(", ", peaks.Select(p => $"{p / 1e6:0} MB"))}, each limited to {LimitBytes / 1e6:0} MB; limit hit {coordinatorLimit.LimitHits}, {firstLimit.LimitHits}, {secondLimit.LimitHits} times"));
        return (peaks, [first.Output, second.Output]);
    }

    private static void Evict(string path)
    {
        using var file = File.OpenHandle(path);
        Assert.Equal(0, PosixFadvise(file.DangerousGetHandle().ToInt32(), 0, 0, DontNeed));
    }

    private const int DontNeed = 4;

    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    private static partial int PosixFadvise(int fd, long offset, long length, int advice);

    /// <summary>x [Samples, Timesteps, Features] and y [Samples, 1] float32, written in a stream (never whole in this process); returns the file's size.</summary>
    private static long Write(string path)
    {
        long xBytes = (long)Samples * Timesteps * Features * sizeof(float), yBytes = (long)Samples * sizeof(float);
        string header = $$$"""{"x":{"dtype":"F32","shape":[{{{Samples}}},{{{Timesteps}}},{{{Features}}}],"data_offsets":[0,{{{xBytes}}}]},"y":{"dtype":"F32","shape":[{{{Samples}}},1],"data_offsets":[{{{xBytes}}},{{{xBytes + yBytes}}}]}}""";
        header += new string(' ', (8 - header.Length % 8) % 8);
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        stream.Write(BitConverter.GetBytes((ulong)header.Length));
        stream.Write(Encoding.ASCII.GetBytes(header));
        var random = new Random(5);
        var row = new float[Timesteps * Features];
        for (int s = 0; s < Samples; s++)
        {
            for (int i = 0; i < row.Length; i++) row[i] = random.NextSingle() * 2 - 1;
            stream.Write(MemoryMarshal.AsBytes(row.AsSpan()));
        }
        var targets = new float[Samples];
        for (int s = 0; s < Samples; s++) targets[s] = random.NextSingle();
        stream.Write(MemoryMarshal.AsBytes(targets.AsSpan()));
        return stream.Length;
    }
}
