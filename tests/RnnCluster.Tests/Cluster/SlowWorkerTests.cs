using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.Hosting;
using Xunit.Abstractions;
using static RnnCluster.Tests.Cluster.ProgramProcess;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// Workers slowed on purpose by rnn-worker's test hook (<see cref="Slowdown"/>), serving a coordinator in this
/// process so that every round's time can be read. The hook's waits take no processor, so the times are the
/// hook's and the policy's, not the machine's load: once a stalled worker is late, its round starts again on the
/// others (the data plane's tree is planned per round, docs/architecture.md) and ends within two normal rounds; a worker a third as fast as another takes a quarter of each round, and the
/// pair's round comes close to what their summed speed allows. The weights are the bits of a local run.
/// </summary>
public sealed class SlowWorkerTests(ITestOutputHelper log)
{
    private const int Minibatches = 10;
    private const int BatchSize = 384;

    [Fact(Timeout = 300_000)]
    public async Task A_stalled_workers_round_starts_again_on_the_others_once_it_is_late_and_ends_within_two_normal_rounds_more()
    {
        var job = Job();
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        // Each worker takes about a second for its third of a round; the third one's 5th shard waits 20 s more.
        (string, string) aSecond = (Slowdown.PerSampleVariable, "8");
        var (result, reissues, nodes) = await TrainInCluster(job, [[aSecond], [aSecond], [aSecond, (Slowdown.StallVariable, "5:20000")]]);

        var rounds = result.Rounds.Select(r => r.RoundMs).ToArray();
        // On a loaded machine a shard may also run late by chance, a few tenths of a second past its allowance:
        // the stall is the slowest of the third worker's late rounds.
        var late = reissues.Where(r => r.Cause == ReissueCause.Late && r.From == nodes[2] && !r.Validation).MaxBy(r => rounds[r.Step - 1]);
        Assert.NotNull(late);
        // A normal round: any other, but the first (which starts new processes up).
        double normal = Median(rounds.Where((_, i) => i != 0 && i != late.Step - 1)), stalled = rounds[late.Step - 1];
        foreach (var r in reissues) log.WriteLine(Coordinator.Progress.WorkerLines.Reissued(r));
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rounds {string.Join(" ", rounds.Select(r => $"{r:0}"))} ms; the stalled one (step {late.Step}) took {stalled:0} ms, a normal one {normal:0} ms; " +
            $"its shard went to {late.To.Count} workers after {late.WaitedSec:0.00} s (allowed {late.AllowedSec:0.00} s)"));
        Assert.Equal(2, late.To.Count);
        Assert.True(rounds.Skip(1).Max() < 10_000, $"a round waited out the stall: {string.Join(" ", rounds.Select(r => $"{r:0}"))} ms");
        // The wait for the stalled worker is its allowance; the round started again on two workers of three
        // then takes about one and a half normal rounds.
        Assert.True(stalled <= late.WaitedSec * 1000 + 2 * normal, $"the stalled round took {stalled:0} ms, {late.WaitedSec:0.00} s of it waiting, a normal one {normal:0} ms");
        AssertSameBits(local.Weights, result.Weights);
    }

    [Fact(Timeout = 300_000)]
    public async Task Two_workers_of_unequal_speed_finish_a_round_about_as_their_summed_speed_allows()
    {
        const double fastMs = 2, slowMs = 6;
        var job = Job();
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        var (pair, _, _) = await TrainInCluster(job, [[(Slowdown.PerSampleVariable, "2")], [(Slowdown.PerSampleVariable, "6")]]);

        // From the second round on, when both workers have been measured (the first is split evenly).
        double both = Median(pair.Rounds.Skip(1).Select(r => r.RoundMs));
        double allowed = BatchSize / (1 / fastMs + 1 / slowMs), even = BatchSize / 2 * slowMs, alone = BatchSize * fastMs;
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median round of a worker at {fastMs} ms and one at {slowMs} ms per sample: {both:0} ms; their summed speed allows {allowed:0} ms, " +
            $"an even split would take {even:0} ms, the faster one alone {alone:0} ms"));
        Assert.InRange(both, allowed, 1.2 * allowed);
        AssertSameBits(local.Weights, pair.Weights);
    }

    /// <summary>A small model, whose compute is a few milliseconds next to the hook's waits: one epoch of 10 minibatches of 384 sequences (96 groups).</summary>
    private static TrainingJob Job()
    {
        var model = new ModelConfig(2, [new LstmConfig(8), new DenseConfig(1)]);
        var training = new TrainingConfig(Epochs: 1, BatchSize: BatchSize, Shuffle: true, Seed: 5, ClipNorm: 1f, GroupSize: 4);
        return TrainingJob.Create(model, training, TestJobs.RandomSet(Minibatches * BatchSize, 10, 2, 1, seed: 1), TestJobs.RandomSet(48, 10, 2, 1, seed: 2));
    }

    /// <summary>
    /// A coordinator here and one rnn-worker process per entry of <paramref name="workers"/>, each with the given
    /// environment; returns the result, the shards re-issued, and each worker's node address.
    /// </summary>
    private static async Task<(TrainingResult Result, IReadOnlyList<ShardReissue> Reissues, string[] Nodes)> TrainInCluster(
        TrainingJob job, (string Name, string Value)[][] workers)
    {
        int port = LoopbackPort.Free();
        var seed = $"{ActorSystemSettings.AddressPrefix}127.0.0.1:{port}";
        var observer = new Reissues();
        var session = TrainingSession.RunClusterAsync(job, new ClusterOptions(new NodeOptions("127.0.0.1", port, null, []), workers.Length),
            new SessionOptions(Observer: observer), CancellationToken.None);
        var processes = workers.Select(environment => Start(WorkerProgram, ["--seed-nodes", seed, "--host", "127.0.0.1", "--port=0", "--once"],
            environment.ToDictionary(e => e.Name, e => e.Value))).ToList();
        try
        {
            var result = await session;
            var nodes = processes.Select(p => p.Output.First(line => line.StartsWith("joined as ", StringComparison.Ordinal))["joined as ".Length..]).ToArray();
            return (result, observer.All, nodes);
        }
        finally
        {
            foreach (var process in processes) await process.DisposeAsync();
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }

    private static void AssertSameBits(float[] expected, float[] actual)
        => Assert.Equal(MemoryMarshal.AsBytes(expected.AsSpan()).ToArray(), MemoryMarshal.AsBytes(actual.AsSpan()).ToArray());

    private sealed class Reissues : ISessionObserver
    {
        private readonly ConcurrentQueue<ShardReissue> _all = new();

        public IReadOnlyList<ShardReissue> All => _all.ToArray();

        public void ShardReissued(ShardReissue reissue) => _all.Enqueue(reissue);
    }
}
