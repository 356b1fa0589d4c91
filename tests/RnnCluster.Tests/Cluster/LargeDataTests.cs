using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Xunit.Abstractions;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// Data bigger than memory: a safetensors file several times larger than what each process may hold (a memory cgroup
/// each: the coordinator and two workers) trains on a cluster, every node mapping its own copy in place instead of
/// being sent one, and ends on the bytes of the same run in local mode.
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
        using var coordinatorLimit = new MemoryLimit("coordinator", LimitBytes);
        using var firstLimit = new MemoryLimit("worker1", LimitBytes);
        using var secondLimit = new MemoryLimit("worker2", LimitBytes);
        long[] peaks;
        {
            await using var first = run.StartWorker();
            firstLimit.Add(first.Id);
            await using var second = run.StartWorker();
            secondLimit.Add(second.Id);
            await using var coordinator = run.StartCoordinator(minWorkers: 2);
            coordinatorLimit.Add(coordinator.Id);

            int exit = await coordinator.WaitForExitAsync(ClusterTrainRun.Generous);
            Assert.True(exit == 0, $"exit {exit}: {string.Join('\n', coordinator.Output.Concat(coordinator.Errors).TakeLast(20))}");
            peaks = [coordinatorLimit.Peak, firstLimit.Peak, secondLimit.Peak];
            log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"data {bytes / 1e6:0} MB; peak memory (page cache included) of coordinator, worker 1, worker 2: {string.Join(", ", peaks.Select(p => $"{p / 1e6:0} MB"))}, each limited to {LimitBytes / 1e6:0} MB; limit hit {coordinatorLimit.LimitHits}, {firstLimit.LimitHits}, {secondLimit.LimitHits} times"));
        }
        Assert.True(bytes > 3 * LimitBytes, $"the data ({bytes} bytes) is not three times the limit");
        Assert.True(peaks[1] + peaks[2] > LimitBytes / 4, "the workers' groups held next to nothing: they did not read the data themselves");
        Assert.All(peaks, peak => Assert.True(peak <= LimitBytes, $"a process held {peak} bytes"));
        Assert.Equal(undisturbed, run.Model);
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
