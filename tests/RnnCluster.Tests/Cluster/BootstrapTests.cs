using System.Net;
using System.Text.Json;
using RnnCluster.Coordinator.Cluster;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Hosting;
using RnnCluster.Tests.Actors;
using static RnnCluster.Tests.Cluster.ProgramProcess;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// A cluster found by Akka.Management's bootstrap with config discovery (`--discovery config`, no seed nodes), and
/// the health endpoints of its nodes through a job's life.
/// </summary>
public class BootstrapTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(1);

    [Fact(Timeout = 240_000)]
    public async Task Nodes_given_only_contact_points_form_a_cluster_that_trains_the_local_weights_and_their_health_follows_the_job()
    {
        var job = TestJobs.StackedLstmGru();
        var local = await TrainingSession.RunLocalAsync(job, workers: 1);
        int[] management = [LoopbackPort.Free(), LoopbackPort.Free(), LoopbackPort.Free()];
        var contactPoints = string.Join(",", management.Select(port => $"127.0.0.1:{port}"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };

        await using var first = Start(WorkerProgram, [], Discovering(contactPoints, management[1]));
        await using var second = Start(WorkerProgram, [], Discovering(contactPoints, management[2]));
        // Alive as soon as the node runs; not ready while no cluster can form (the coordinator's contact point is not up).
        await WaitForAsync(http, management[1], ManagementServer.AlivePath, HttpStatusCode.OK);
        var beforeCoordinator = await ProbeAsync(http, management[1], ManagementServer.ReadyPath);
        Assert.Equal((HttpStatusCode.ServiceUnavailable, false), (beforeCoordinator.Status, beforeCoordinator.Ok));

        var coordinatorPort = management[0];
        var probes = new HealthProbes(http, coordinatorPort, management[1]);
        var node = new NodeOptions("127.0.0.1", LoopbackPort.Free(), null, [])
        {
            Discovery = new ContactPointList(contactPoints.Split(',')),
            ManagementPort = coordinatorPort,
        };
        var clustered = await TrainingSession.RunClusterAsync(job, new ClusterOptions(node, MinWorkers: 2), new SessionOptions(Observer: probes), CancellationToken.None);

        Assert.Equal(local.Weights, clustered.Weights);
        Assert.DoesNotContain(first.Output.Concat(second.Output), line => line.Contains("seed", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(first.Output, line => line.StartsWith("joining the cluster of contact points 127.0.0.1:", StringComparison.Ordinal));

        // While it waited for its second worker the coordinator was alive and not ready, saying why.
        Assert.NotEmpty(probes.WhileWaiting);
        var waiting = probes.WhileWaiting[0];
        Assert.Equal((HttpStatusCode.ServiceUnavailable, false), (waiting.Ready.Status, waiting.Ready.Ok));
        Assert.StartsWith("waiting for workers: ", waiting.Ready.Reason);
        Assert.Equal(HttpStatusCode.OK, waiting.Alive.Status);
        // While it trained, it and its workers were ready.
        Assert.NotEmpty(probes.WhileTraining);
        var training = probes.WhileTraining[0];
        Assert.Equal((HttpStatusCode.OK, true, "training: the job has its workers"), (training.Ready.Status, training.Ready.Ok, training.Ready.Reason));
        Assert.Equal((HttpStatusCode.OK, true, "a member of the cluster"), (training.Worker.Status, training.Worker.Ok, training.Worker.Reason));

        // After the job the coordinator's endpoints are gone with its node, and the workers wait for the next one, not ready.
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync($"http://127.0.0.1:{coordinatorPort}{ManagementServer.AlivePath}"));
        await first.WaitForLineAsync(line => line.StartsWith("rejoining the cluster of contact points", StringComparison.Ordinal), Limit);
        await WaitForAsync(http, management[1], ManagementServer.ReadyPath, HttpStatusCode.ServiceUnavailable);
    }

    private static Dictionary<string, string> Discovering(string contactPoints, int managementPort) => new()
    {
        ["RNN_DISCOVERY"] = ContactPointList.Name,
        ["RNN_CONTACT_POINTS"] = contactPoints,
        ["RNN_MANAGEMENT_PORT"] = managementPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RNN_HOST"] = "127.0.0.1",
        ["RNN_PORT"] = "0",
    };

    internal sealed record Probe(HttpStatusCode Status, bool Ok, string Reason);

    internal static async Task<Probe> ProbeAsync(HttpClient http, int port, string path)
    {
        using var response = await http.GetAsync($"http://127.0.0.1:{port}{path}");
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return new Probe(response.StatusCode, body.RootElement.GetProperty("ok").GetBoolean(), body.RootElement.GetProperty("reason").GetString()!);
    }

    /// <summary>Probes until the endpoint answers <paramref name="status"/> (a node starting, or between clusters).</summary>
    private static async Task WaitForAsync(HttpClient http, int port, string path, HttpStatusCode status)
    {
        var deadline = DateTime.UtcNow + Limit;
        while (true)
        {
            try
            {
                if ((await ProbeAsync(http, port, path)).Status == status) return;
            }
            catch (HttpRequestException)
            {
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{path} on port {port} never answered {status}");
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Probes the coordinator's endpoints (and a worker's) at two moments of the job, from the session's own reports:
    /// while it waits for workers, and when an epoch has been trained. (Reports come on the session's thread; the
    /// endpoints answer from the thread pool, so a blocking probe here sees them as a prober would.)
    /// </summary>
    private sealed class HealthProbes(HttpClient http, int coordinator, int worker) : ISessionObserver
    {
        public List<(Probe Alive, Probe Ready)> WhileWaiting { get; } = [];

        public List<(Probe Ready, Probe Worker)> WhileTraining { get; } = [];

        public void WaitingForWorkers(int joined, int needed) =>
            WhileWaiting.Add((Get(coordinator, ManagementServer.AlivePath), Get(coordinator, ManagementServer.ReadyPath)));

        /// <summary>
        /// The worker's own view of its membership lags the coordinator's by a gossip round, so its readiness is
        /// probed until it turns (while this report is being heard, the session cannot end and leave the cluster).
        /// </summary>
        public void EpochDone(EpochMetrics metrics)
        {
            if (WhileTraining.Count > 0) return;
            var ready = Get(coordinator, ManagementServer.ReadyPath);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            var workerReady = Get(worker, ManagementServer.ReadyPath);
            while (workerReady.Status != HttpStatusCode.OK && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(100);
                workerReady = Get(worker, ManagementServer.ReadyPath);
            }
            WhileTraining.Add((ready, workerReady));
        }

        private Probe Get(int port, string path) => ProbeAsync(http, port, path).GetAwaiter().GetResult();
    }
}
