using RnnCluster.Coordinator.Actors;

namespace RnnCluster.Tests.Actors;

/// <summary>A worker's pace is forgotten when its measure has long earned it no share, so that a new shard measures it again.</summary>
public sealed class WorkerPaceTests
{
    [Fact]
    public void A_worker_passed_over_for_a_window_of_rounds_in_a_row_is_measured_afresh()
    {
        var pace = new WorkerPace();
        pace.Record(10, 1000, 1000);
        for (int round = 1; round < WorkerPace.Window; round++) pace.Passed();
        Assert.Equal(10.0, pace.SamplesPerSecond);

        pace.Passed();
        Assert.False(pace.IsKnown);
    }

    [Fact]
    public void An_answered_shard_starts_the_count_of_rounds_passed_over_again()
    {
        var pace = new WorkerPace();
        pace.Record(10, 100, 100);
        for (int round = 1; round < WorkerPace.Window; round++) pace.Passed();
        pace.Record(10, 1000, 1000);
        for (int round = 1; round < WorkerPace.Window; round++) pace.Passed();
        Assert.True(pace.IsKnown);
    }
}
