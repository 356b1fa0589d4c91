using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RnnCluster.Tests.Cli;
using RnnCluster.Shared.Hosting;
using static RnnCluster.Tests.Cluster.ProgramProcess;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// One cluster training run of the stacked test model (<see cref="WorkerCountDeterminismTests.Config"/>) as a
/// user starts it: `rnn-cluster train --cluster` and `rnn-worker` processes on 127.0.0.1, every line stamped on
/// one clock; its output folder, its metrics as they are written, and the model of the same run trained
/// locally on one worker, to hold it to. <paramref name="config"/> replaces the stacked model's config (its data
/// written beside it with <see cref="WriteData"/>).
/// </summary>
internal sealed class ClusterTrainRun(int epochs, string? config = null) : IDisposable
{
    public static readonly TimeSpan Generous = TimeSpan.FromMinutes(3);

    private readonly TempFolder _folder = new();

    public int Port { get; } = LoopbackPort.Free();

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public string Seed => $"{ActorSystemSettings.AddressPrefix}127.0.0.1:{Port}";

    public string Out => _folder.File("run");

    public string Config => _folder.Write("config.json", (config ?? WorkerCountDeterminismTests.Config).Replace("\"epochs\": 2", $"\"epochs\": {Number(epochs)}"));

    /// <summary>The path of a data file beside the config.</summary>
    public string DataPath(string name) => _folder.File(name);

    /// <summary>A safetensors data file beside the config.</summary>
    public void WriteData(string name, IReadOnlyList<Rnn.Math.Weights.NamedTensor> tensors) => Rnn.Math.Weights.SafeTensors.Write(_folder.File(name), tensors);

    /// <summary>The coordinator, waiting for <paramref name="minWorkers"/> workers; it prints plain lines (no --quiet) to read events from.</summary>
    public ProgramProcess StartCoordinator(int minWorkers, params string[] flags) => Start(ClusterProgram,
        ["train", "--config", Config, "--out", Out, "--cluster", "--host", "127.0.0.1", "--port", Number(Port), "--min-workers", Number(minWorkers), .. flags],
        clock: Clock);

    public ProgramProcess StartWorker(IReadOnlyDictionary<string, string>? environment = null)
        => Start(WorkerProgram, ["--seed-nodes", Seed, "--host", "127.0.0.1", "--port=0"], environment, Clock);

    /// <summary>The model file of the same config trained in one process on one worker, never disturbed.</summary>
    public byte[] Undisturbed()
    {
        var reference = _folder.File("undisturbed");
        Assert.Equal(0, CliRun.Of("train", "--config", Config, "--out", reference, "--workers", "1", "--quiet").ExitCode);
        return File.ReadAllBytes(Path.Combine(reference, "model.safetensors"));
    }

    public byte[] Model => File.ReadAllBytes(Path.Combine(Out, "model.safetensors"));

    /// <summary>Each finished epoch's training time in seconds, from metrics.jsonl's elapsedSec.</summary>
    public double[] EpochSeconds()
    {
        var path = Path.Combine(Out, "metrics.jsonl");
        if (!File.Exists(path)) return [];
        var elapsed = File.ReadAllLines(path).Where(line => line.Length > 0)
            .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("elapsedSec").GetDouble()).ToArray();
        return elapsed.Select((e, i) => i == 0 ? e : e - elapsed[i - 1]).ToArray();
    }

    public int EpochsWritten => EpochSeconds().Length;

    /// <summary>The node a worker process joined as, from its `joined as` line.</summary>
    public static async Task<string> NodeOf(ProgramProcess worker)
    {
        await worker.WaitForLineAsync(line => line.StartsWith("joined as ", StringComparison.Ordinal), Generous);
        return worker.Output.First(line => line.StartsWith("joined as ", StringComparison.Ordinal))["joined as ".Length..];
    }

    public async Task WaitForEpochs(int count, ProgramProcess coordinator)
    {
        var deadline = Stopwatch.StartNew();
        while (EpochsWritten < count)
        {
            if (coordinator.HasExited) Assert.Fail($"the coordinator exited before epoch {count}: {string.Join('\n', coordinator.Errors)}");
            if (deadline.Elapsed > Generous) Assert.Fail($"no epoch {count} after {Generous.TotalMinutes} minutes: {string.Join('\n', coordinator.Output.Concat(coordinator.Errors))}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// <paramref name="count"/> workers that wait <paramref name="msPerSample"/> per sample (the test hook, which takes no
    /// processor, so a run lasts long enough for a kill to land inside it however idle the machine is), and the
    /// coordinator waiting for all of them; the second worker is the one to kill.
    /// </summary>
    public SlowCluster StartSlowCluster(int msPerSample, int count = 3)
    {
        var workers = StartSlowWorkers(msPerSample, count);
        return new SlowCluster(workers, StartCoordinator(minWorkers: count));
    }

    /// <summary>
    /// As <see cref="StartSlowCluster"/>, but the coordinator first: once it has mapped <paramref name="dataFile"/> and
    /// waits for workers, the file is moved away, so the workers, started then, have no copy and fetch their samples.
    /// </summary>
    public async Task<SlowCluster> StartSlowFetchingCluster(int msPerSample, string dataFile, int count = 3)
    {
        var coordinator = StartCoordinator(minWorkers: count);
        try
        {
            await coordinator.WaitForLineAsync(line => line.StartsWith("waiting for workers", StringComparison.Ordinal), Generous);
            File.Move(DataPath(dataFile), DataPath(dataFile) + ".elsewhere");
        }
        catch
        {
            await coordinator.DisposeAsync();
            throw;
        }
        return new SlowCluster(StartSlowWorkers(msPerSample, count), coordinator);
    }

    private ProgramProcess[] StartSlowWorkers(int msPerSample, int count)
    {
        var slow = new Dictionary<string, string> { [RnnCluster.Shared.Compute.Slowdown.PerSampleVariable] = Number(msPerSample) };
        return Enumerable.Range(0, count).Select(_ => StartWorker(slow)).ToArray();
    }

    /// <summary>
    /// <paramref name="config"/> with its safetensors <paramref name="data"/> as <paramref name="dataFile"/>, trained
    /// for <paramref name="epochs"/> on a cluster of two worker processes, ends on the bytes of the local model.
    /// </summary>
    public static async Task AssertTwoWorkerProcessesGiveTheLocalModel(string config, string dataFile, IReadOnlyList<Rnn.Math.Weights.NamedTensor> data, int epochs)
    {
        using var run = new ClusterTrainRun(epochs, config);
        run.WriteData(dataFile, data);
        var undisturbed = run.Undisturbed();
        await using var first = run.StartWorker();
        await using var second = run.StartWorker();
        await using var coordinator = run.StartCoordinator(minWorkers: 2);

        Assert.Equal(0, await coordinator.WaitForExitAsync(Generous));
        Assert.Equal(undisturbed, run.Model);
    }

    /// <summary>
    /// The same config on three slow workers (20 ms a sample), one of them killed after epoch 5 of 30, ends on the bytes
    /// of the local model; returns the coordinator's output and the workers' that lived. With <paramref name="fetching"/>
    /// the workers have no copy of the data file and fetch their samples (<see cref="StartSlowFetchingCluster"/>).
    /// </summary>
    public static async Task<(string[] Coordinator, string[][] Survivors)> AssertAKilledWorkerLeavesTheLocalModel(
        string config, string dataFile, IReadOnlyList<Rnn.Math.Weights.NamedTensor> data, bool fetching = false)
    {
        using var run = new ClusterTrainRun(epochs: 30, config);
        run.WriteData(dataFile, data);
        var undisturbed = run.Undisturbed();
        await using var cluster = fetching ? await run.StartSlowFetchingCluster(msPerSample: 20, dataFile) : run.StartSlowCluster(msPerSample: 20);
        await run.WaitForEpochs(5, cluster.Coordinator);

        cluster.Victim.KillHard();

        Assert.Equal(0, await cluster.Coordinator.WaitForExitAsync(Generous));
        Assert.Equal(undisturbed, run.Model);
        var survivors = cluster.Workers.Where(worker => worker != cluster.Victim).ToArray();
        // A worker reports its job's end a moment after the coordinator's last word to it.
        foreach (var worker in survivors) await worker.WaitForLineAsync(line => line.EndsWith(" finished", StringComparison.Ordinal), Generous);
        return (cluster.Coordinator.Output, [.. survivors.Select(worker => worker.Output)]);
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _folder.Dispose();
}

/// <summary>Three worker processes and their coordinator (<see cref="ClusterTrainRun.StartSlowCluster"/>), all stopped on dispose.</summary>
internal sealed class SlowCluster(ProgramProcess[] workers, ProgramProcess coordinator) : IAsyncDisposable
{
    public ProgramProcess Coordinator => coordinator;

    /// <summary>The worker to kill: the second one started.</summary>
    public ProgramProcess Victim => workers[1];

    public IReadOnlyList<ProgramProcess> Workers => workers;

    public async ValueTask DisposeAsync()
    {
        await coordinator.DisposeAsync();
        foreach (var worker in workers) await worker.DisposeAsync();
    }
}
