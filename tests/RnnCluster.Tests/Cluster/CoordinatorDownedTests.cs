using Akka.Actor;
using Microsoft.Extensions.DependencyInjection;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// A coordinator downed by another member (an operator's node, a resolver of some other deployment): its run
/// cannot go on, so it writes a checkpoint and exits 1 with a message saying so, instead of hanging with its
/// port closed.
/// </summary>
public sealed class CoordinatorDownedTests
{
    [Fact(Timeout = 300_000)]
    public async Task A_downed_coordinator_checkpoints_and_exits_1_saying_why()
    {
        using var run = new ClusterTrainRun(epochs: 100_000);
        await using var worker = run.StartWorker();
        await using var coordinator = run.StartCoordinator(minWorkers: 1);
        await run.WaitForEpochs(2, coordinator);

        using var other = await ClusterNode.StartAsync(new NodeOptions("127.0.0.1", 0, null, [run.Seed]), "operator", _ => { });
        var cluster = Akka.Cluster.Cluster.Get(other.Services.GetRequiredService<ActorSystem>());
        var joined = new TaskCompletionSource();
        cluster.RegisterOnMemberUp(joined.SetResult);
        await joined.Task.WaitAsync(ClusterTrainRun.Generous);
        cluster.Down(Akka.Actor.Address.Parse(run.Seed));

        int exitCode = await coordinator.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var errors = string.Join('\n', coordinator.Errors);
        Assert.True(exitCode == 1, $"exit code {exitCode}: {errors}");
        Assert.Contains("this coordinator was downed", errors, StringComparison.Ordinal);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run.Out, "checkpoints"), "*", SearchOption.AllDirectories));
        Assert.Contains("--resume", errors + string.Join('\n', coordinator.Output), StringComparison.Ordinal);
    }
}
