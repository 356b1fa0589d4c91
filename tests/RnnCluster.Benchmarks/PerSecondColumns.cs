using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace RnnCluster.Benchmarks;

/// <summary>A benchmark parameter that knows how many floating-point operations one call of a method does.</summary>
public interface ICountsFlops
{
    double Flops(string method);
}

/// <summary>GFLOP/s from the mean time of a case whose parameters include an <see cref="ICountsFlops"/>.</summary>
public sealed class FlopsColumn : IColumn
{
    public string Id => nameof(FlopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Billions of floating-point operations a second (an FMA counts two), from the mean time";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var counter = benchmarkCase.Parameters.Items.Select(p => p.Value).OfType<ICountsFlops>().FirstOrDefault();
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (counter is null || statistics is null) return "-";
        double flops = counter.Flops(benchmarkCase.Descriptor.WorkloadMethod.Name);
        return (flops / statistics.Mean).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
    }
}
