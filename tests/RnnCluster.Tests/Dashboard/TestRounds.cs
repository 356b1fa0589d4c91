using RnnCluster.Coordinator.Dashboard;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Tests.Dashboard;

internal static class TestRounds
{
    /// <summary>A round of <paramref name="roundMs"/> whose slowest compute is its slowest share's, as the coordinator times it.</summary>
    public static RoundTimed Of(double roundMs, params WorkerShare[] shares) =>
        new(new RoundReport(new RoundTiming(roundMs, shares.Max(s => s.ComputeMs)), shares));
}
