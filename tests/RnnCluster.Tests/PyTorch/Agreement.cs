using Xunit.Abstractions;

namespace RnnCluster.Tests.PyTorch;

/// <summary>Element-wise comparison with PyTorch's values that reports the largest error it saw.</summary>
public static class Agreement
{
    /// <summary>Fails unless |expected - actual| &lt;= tolerance for every element.</summary>
    public static void Within(double tolerance, string what, ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, ITestOutputHelper log)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int worstIndex = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = System.Math.Abs((double)expected[i] - actual[i]);
            if (double.IsNaN(error))
            {
                (worst, worstIndex) = (double.PositiveInfinity, i);
                break;
            }
            if (error > worst) (worst, worstIndex) = (error, i);
        }
        log.WriteLine($"{what}: max |error| {worst:E2} at [{worstIndex}]");
        Assert.True(worst <= tolerance,
            $"{what}: element {worstIndex} is {actual[worstIndex]}, PyTorch has {expected[worstIndex]} (|error| {worst:E2} > {tolerance:E0})");
    }
}
