using System.Globalization;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Progress;

/// <summary>The lines a cluster run prints about its workers: one per event.</summary>
internal static class WorkerLines
{
    /// <summary><c>waiting for workers: 1/2 joined, seed akka.tcp://rnn-cluster@HOST:PORT</c>: the seed is what a worker needs to join.</summary>
    public static string Waiting(int joined, int needed, string? seed) =>
        $"waiting for workers: {joined}/{needed} joined" + (seed is null ? "" : $", seed {seed}");

    public static string Joined(string address, int workers) => $"worker joined: {address} ({EpochLine.Workers(workers)})";

    public static string Left(string address, int workers) => $"worker left: {address} ({EpochLine.Workers(workers)} left)";

    /// <summary><c>worker lost: ADDRESS is unreachable (2 of 3 workers reachable)</c></summary>
    public static string Lost(string address, int reachable, int workers) =>
        $"worker lost: {address} is unreachable ({reachable} of {EpochLine.Workers(workers)} reachable)";

    /// <summary><c>worker back: ADDRESS is reachable again (3 of 3 workers reachable)</c></summary>
    public static string Back(string address, int reachable, int workers) =>
        $"worker back: {address} is reachable again ({reachable} of {EpochLine.Workers(workers)} reachable)";

    /// <summary><c>shard re-issued: groups 8-11 of 16 in step 1234, from ADDRESS (late: 1.30 s, allowed 0.65 s) to ADDRESS, ADDRESS</c></summary>
    public static string Reissued(ShardReissue r)
    {
        var where = r.Validation ? $"of the validation after epoch {r.Epoch}" : $"in step {r.Step}";
        var why = r.Cause switch
        {
            ReissueCause.Late => string.Create(CultureInfo.InvariantCulture, $"late: {r.WaitedSec:0.00} s, allowed {r.AllowedSec:0.00} s"),
            ReissueCause.Unreachable => "unreachable",
            ReissueCause.RootMissing => string.Create(CultureInfo.InvariantCulture, $"root of the sums missing after {r.WaitedSec:0} s"),
            _ => "left",
        };
        var to = r.To.Count == 0 ? "to the next free worker" : $"to {string.Join(", ", r.To)}";
        return $"shard re-issued: groups {r.FirstGroup}-{r.EndGroup - 1} of {r.Groups} {where}, from {r.From} ({why}) {to}";
    }
}
