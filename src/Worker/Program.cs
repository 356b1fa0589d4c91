using Microsoft.Extensions.Hosting;
using Rnn.Math;
using RnnCluster.Worker;
using RnnCluster.Worker.Hosting;

WorkerCommandLine options;
try
{
    options = WorkerCommandLine.Parse(args, Environment.GetEnvironmentVariable);
}
catch (InputException e)
{
    Console.Error.WriteLine($"rnn-worker: {e.Message}");
    return 2;
}

try
{
    using var host = ClusterNode.Build(options.Node, ClusterNode.WorkerRole,
        system => system.ActorOf(WorkerActor.Props(options.Threads), WorkerActor.Name));
    await host.RunAsync();
    return 0;
}
catch (Exception e)
{
    // Not the user's input (a port already taken, an unreachable interface): exit 1 with the reason, not a trace.
    Console.Error.WriteLine($"rnn-worker: {e.GetBaseException().Message}");
    return 1;
}
