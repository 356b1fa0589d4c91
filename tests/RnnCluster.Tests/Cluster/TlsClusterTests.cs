using Microsoft.Extensions.Hosting;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Training;
using RnnCluster.Tests.Actors;
using RnnCluster.Shared;
using RnnCluster.Worker;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// Akka.Remote and the data plane under TLS with mutual authentication: actor systems in one process over real TCP
/// on 127.0.0.1, each with certificates made by the test.
/// </summary>
public sealed class TlsClusterTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact(Timeout = 180_000)]
    public async Task With_certificates_from_the_cluster_CA_training_gives_the_bits_of_a_run_without_tls()
    {
        var ca = new TestCertificates(_folder, "cluster");
        var job = TestJobs.StackedLstmGru(epochs: 1);
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);

        int port = LoopbackPort.Free();
        var coordinatorTls = NodeTls.Load(ca.Node("coordinator"), TestCertificates.Password, ca.AuthorityPem);
        var session = TrainingSession.RunClusterAsync(job, new ClusterOptions(Node(port, [], coordinatorTls), 2));
        var workers = new[] { ca.Node("worker-1"), ca.Node("worker-2") }
            .Select(pfx => StartWorker(port, NodeTls.Load(pfx, TestCertificates.Password, ca.AuthorityPem)))
            .ToList();
        try
        {
            foreach (var worker in workers) await worker.StartAsync();
            var clustered = await session;
            Assert.Equal(local.Weights, clustered.Weights);
            Assert.Equal(2, clustered.Epochs[^1].Workers);
        }
        finally
        {
            await StopAll(workers);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task A_worker_whose_certificate_comes_from_another_CA_is_never_counted()
    {
        var cluster = new TestCertificates(_folder, "cluster");
        var other = new TestCertificates(_folder, "other");
        var job = TestJobs.StackedLstmGru(epochs: 1);
        int port = LoopbackPort.Free();
        var observer = new Arrivals();
        var coordinatorTls = NodeTls.Load(cluster.Node("coordinator"), TestCertificates.Password, cluster.AuthorityPem);
        var session = TrainingSession.RunClusterAsync(job, new ClusterOptions(Node(port, [], coordinatorTls), 1),
            new SessionOptions(Observer: observer), CancellationToken.None);
        // The intruder knows the cluster's CA (it is public) but holds a certificate another CA issued.
        var intruder = StartWorker(port, NodeTls.Load(other.Node("intruder"), TestCertificates.Password, cluster.AuthorityPem));
        var hosts = new List<IHost> { intruder };
        try
        {
            await intruder.StartAsync();
            await Task.Delay(TimeSpan.FromSeconds(12));
            Assert.Empty(observer.Workers);
            Assert.False(session.IsCompleted);

            var member = StartWorker(port, NodeTls.Load(cluster.Node("worker"), TestCertificates.Password, cluster.AuthorityPem));
            hosts.Add(member);
            await member.StartAsync();
            await session;
            Assert.Single(observer.Workers);
            Assert.DoesNotContain(observer.Workers, address => address == Address(intruder));
        }
        finally
        {
            await StopAll(hosts);
        }
    }

    private static NodeOptions Node(int port, IReadOnlyList<string> seeds, NodeTls tls) => new("127.0.0.1", port, null, seeds) { Tls = tls };

    private static IHost StartWorker(int seedPort, NodeTls tls)
        => ClusterNode.Build(Node(0, [$"{ActorSystemSettings.AddressPrefix}127.0.0.1:{seedPort}"], tls), ClusterNode.WorkerRole,
            system => system.ActorOf(WorkerActor.Props(threads: 1), WorkerActor.Name));

    private static string Address(IHost host)
        => Akka.Cluster.Cluster.Get((Akka.Actor.ActorSystem)host.Services.GetService(typeof(Akka.Actor.ActorSystem))!).SelfAddress.ToString();

    private static async Task StopAll(IEnumerable<IHost> hosts)
    {
        foreach (var host in hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }
    }

    private sealed class Arrivals : ISessionObserver
    {
        private readonly List<string> _workers = new();

        public IReadOnlyList<string> Workers
        {
            get
            {
                lock (_workers) return _workers.ToList();
            }
        }

        public void WorkerArrived(string worker, string address, int workers)
        {
            lock (_workers) _workers.Add(address);
        }
    }
}
