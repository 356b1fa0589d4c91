using System.Net;
using System.Net.Sockets;
using Akka.Actor;
using Microsoft.Extensions.Hosting;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;
using RnnCluster.Worker;
using RnnCluster.Worker.Hosting;

namespace RnnCluster.Tests.Cluster;

public class ClusterTrainingTests
{
    [Fact(Timeout = 180_000)]
    public async Task Workers_in_other_actor_systems_over_tcp_give_the_local_weights_bitwise()
    {
        var job = TestJobs.StackedLstmGru();
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);

        int port = FreePort();
        string seed = $"akka.tcp://{ActorSystemSettings.SystemName}@127.0.0.1:{port}";
        var coordinator = TrainingSession.RunClusterAsync(job, new ClusterOptions(new NodeOptions("127.0.0.1", port, null, []), MinWorkers: 2));
        var workers = Enumerable.Range(0, 2)
            .Select(_ => ClusterNode.Build(new NodeOptions("127.0.0.1", 0, null, [seed]), ClusterNode.WorkerRole,
                system => system.ActorOf(WorkerActor.Props(threads: 1), WorkerActor.Name)))
            .ToList();
        try
        {
            foreach (var worker in workers) await worker.StartAsync();
            var clustered = await coordinator;
            Assert.Equal(local.Weights, clustered.Weights);
            Assert.Equal(2, clustered.Epochs[^1].Workers);
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.StopAsync();
                worker.Dispose();
            }
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
