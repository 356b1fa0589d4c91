using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Rnn.Math.Config;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;
using RnnCluster.Worker;
using RnnCluster.Worker.Hosting;
using RnnCluster.Worker.Protocol;
using RnnCluster.Worker.Serialization;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Cluster;

/// <summary>A coordinator and worker actor systems joined over real TCP on 127.0.0.1, in one process.</summary>
public class ClusterTrainingTests
{
    [Fact(Timeout = 180_000)]
    public async Task Workers_in_other_actor_systems_over_tcp_give_the_local_weights_bitwise()
    {
        var job = TestJobs.StackedLstmGru();
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        var clustered = await TrainOverTcp(job, workers: 2);
        Assert.Equal(local.Weights, clustered.Weights);
        Assert.Equal(2, clustered.Epochs[^1].Workers);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_model_larger_than_the_frame_size_trains_over_tcp()
    {
        var model = new ModelConfig(1000, [new DenseConfig(1500)]);
        var training = new TrainingConfig(Epochs: 1, BatchSize: 4, Shuffle: false, GroupSize: 2);
        var job = TrainingJob.Create(model, training, TestJobs.RandomSet(8, 1, 1000, 1500, seed: 5), null);
        Assert.True(job.InitialWeights.Length * sizeof(float) > WireFormat.MaximumFrameSizeBytes);

        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        var clustered = await TrainOverTcp(job, workers: 1);
        Assert.Equal(local.Weights, clustered.Weights);
    }

    [Fact(Timeout = 180_000)]
    public async Task Malformed_messages_both_ways_over_tcp_are_refused_and_the_weights_are_the_local_ones()
    {
        var job = TestJobs.StackedLstmGru();
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        var refusals = new RefusalRecorder();
        var session = new SessionOptions(Observer: refusals) { Faults = new TestFaults(WeightsOffsetVersion: 3) };

        var clustered = await TrainOverTcp(job, workers: 2, session, new TestFaults(GradientOffsetRound: 1));

        Assert.Equal(local.Weights, clustered.Weights);
        Assert.Contains(refusals.Lines, line => line.StartsWith("refused a GradientChunk of round 1 from worker akka.tcp://", StringComparison.Ordinal));
        Assert.Contains(refusals.Lines, line => line.Contains(" refused WeightsChunk of version 3: ", StringComparison.Ordinal));
    }

    private sealed class RefusalRecorder : ISessionObserver
    {
        private readonly ConcurrentQueue<string> _lines = new();

        public IReadOnlyCollection<string> Lines => _lines;

        public void MessageRefused(string address, string description) => _lines.Enqueue(description);
    }

    private static async Task<TrainingResult> TrainOverTcp(TrainingJob job, int workers, SessionOptions? session = null, TestFaults? workerFaults = null)
    {
        int port = LoopbackPort.Free();
        string seed = $"akka.tcp://{ActorSystemSettings.SystemName}@127.0.0.1:{port}";
        var coordinator = TrainingSession.RunClusterAsync(job, new ClusterOptions(new NodeOptions("127.0.0.1", port, null, []), workers),
            session ?? SessionOptions.Default, CancellationToken.None);
        var hosts = Enumerable.Range(0, workers)
            .Select(_ => ClusterNode.Build(new NodeOptions("127.0.0.1", 0, null, [seed]), ClusterNode.WorkerRole,
                system => system.ActorOf(WorkerActor.Props(threads: 1, workerFaults), WorkerActor.Name)))
            .ToList();
        try
        {
            foreach (var host in hosts) await host.StartAsync();
            return await coordinator;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }
    }
}
