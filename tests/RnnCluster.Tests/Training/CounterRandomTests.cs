using Rnn.Math.Training;

namespace RnnCluster.Tests.Training;

public class CounterRandomTests
{
    [Fact]
    public void Permutation_is_a_permutation_and_depends_on_seed_and_epoch()
    {
        var p = CounterRandom.Permutation(1000, 42, 3);
        Assert.Equal(Enumerable.Range(0, 1000), p.Order());
        Assert.Equal(p, CounterRandom.Permutation(1000, 42, 3));
        Assert.NotEqual(p, CounterRandom.Permutation(1000, 42, 4));
        Assert.NotEqual(p, CounterRandom.Permutation(1000, 43, 3));
    }

    [Fact]
    public void Uniform_draws_are_in_range_with_the_right_mean_and_variance()
    {
        var draws = Enumerable.Range(0, 100_000).Select(i => (double)CounterRandom.Uniform(7, (ulong)i)).ToArray();
        Assert.All(draws, d => Assert.InRange(d, 0.0, 1.0 - 1e-9));
        double mean = draws.Average();
        double variance = draws.Select(d => (d - mean) * (d - mean)).Average();
        Assert.InRange(mean, 0.495, 0.505);
        Assert.InRange(variance, 1.0 / 12 - 0.002, 1.0 / 12 + 0.002);
    }
}
