using Microsoft.Extensions.Hosting;
using Rnn.Math.Config;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;
using RnnCluster.Worker;
using RnnCluster.Worker.Hosting;
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

    private static async Task<TrainingResult> TrainOverTcp(TrainingJob job, int workers)
    {
        int port = LoopbackPort.Free();
        string seed = $"akka.tcp://{ActorSystemSettings.SystemName}@127.0.0.1:{port}";
        var coordinator = TrainingSession.RunClusterAsync(job, new ClusterOptions(new NodeOptions("127.0.0.1", port, null, []), workers));
        var hosts = Enumerable.Range(0, workers)
            .Select(_ => ClusterNode.Build(new NodeOptions("127.0.0.1", 0, null, [seed]), ClusterNode.WorkerRole,
                system => system.ActorOf(WorkerActor.Props(threads: 1), WorkerActor.Name)))
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
