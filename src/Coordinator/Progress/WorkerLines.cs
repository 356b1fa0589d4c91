namespace RnnCluster.Coordinator.Progress;

/// <summary>The lines a cluster run prints about its workers.</summary>
internal static class WorkerLines
{
    /// <summary><c>waiting for workers: 1/2 joined, seed akka.tcp://rnn-cluster@HOST:PORT</c>: the seed is what a worker needs to join.</summary>
    public static string Waiting(int joined, int needed, string? seed) =>
        $"waiting for workers: {joined}/{needed} joined" + (seed is null ? "" : $", seed {seed}");

    public static string Joined(string address, int workers) => $"worker joined: {address} ({EpochLine.Workers(workers)})";

    public static string Left(string address, int workers) => $"worker left: {address} ({EpochLine.Workers(workers)} left)";
}
