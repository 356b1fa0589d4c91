using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.Protocol;
using RnnCluster.Tests.Actors;

namespace RnnCluster.Tests.Compute;

/// <summary>What a worker that fetches its samples holds between requests: the rows in hand and next, never the set.</summary>
public sealed class SampleCacheTests
{
    private readonly List<FetchSamples> _asked = new();
    private readonly SampleCache _cache;

    public SampleCacheTests()
    {
        var job = TestJobs.StackedLstmGru(trainSamples: 12, validationSamples: 5);
        var start = new StartJob(Guid.NewGuid(), WorkerJob.Of(job.Model, job.Training), new DataShape(12, 5, 6, 2, 1) { Fetched = true },
            Guid.NewGuid(), "unused:1#1", WorkerId: 1);
        _cache = new SampleCache(start, _asked.Add, () => { });
    }

    [Fact]
    public void The_next_epochs_first_shard_read_ahead_before_validation_outlives_it_and_validations_rows_go_when_training_resumes()
    {
        _cache.ReadAhead(validation: false, [1, 2], [3, 4]);
        Assert.Equal([[1, 2], [3, 4]], _asked.Select(a => a.SampleIds));

        // Validation's first slice: the training shard done is dropped, the one read ahead is kept.
        _cache.ReadAhead(validation: true, [0, 1], null);
        Assert.True(_asked[^1].Validation);
        Assert.Equal(4, _cache.Rows);

        // Training again, on what was read ahead: nothing is fetched, and validation's rows are let go.
        _cache.ReadAhead(validation: false, [3, 4], null);
        Assert.Equal(3, _asked.Count);
        Assert.Equal(2, _cache.Rows);
    }

    [Fact]
    public void A_window_released_once_gathered_lets_go_of_its_rows_and_a_block_still_partly_needed_stays()
    {
        _cache.Fetch(validation: true, [0, 1]);
        _cache.Fetch(validation: true, [2, 3]);
        _cache.Release(validation: true, [0, 2]);
        Assert.Equal(4, _cache.Rows);

        _cache.Release(validation: true, [0, 1]);
        Assert.Equal(2, _cache.Rows);
        // The training rows of the same ids are another set's: releasing validation's leaves them.
        _cache.Fetch(validation: false, [2, 3]);
        _cache.Release(validation: true, [2, 3]);
        Assert.Equal(2, _cache.Rows);
    }
}
