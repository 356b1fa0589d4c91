using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace RnnCluster.Benchmarks;

/// <summary>A benchmark parameter that knows how many floating-point operations one call of a method does.</summary>
public interface ICountsFlops
{
    double Flops(string method);
}

/// <summary>A benchmark parameter that knows how many bytes one call of a method moves.</summary>
public interface ICountsBytes
{
    double Bytes(string method);
}

/// <summary>A rate from the mean time of a case: what one call does (counted by one of its parameters), per second.</summary>
public abstract class PerSecondColumn(string name, string legend) : IColumn
{
    public string Id => GetType().Name;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var parameters = benchmarkCase.Parameters.Items.Select(p => p.Value);
        double? amount = Amount(parameters, benchmarkCase.Descriptor.WorkloadMethod.Name);
        var statistics = summary[benchmarkCase]?.ResultStatistics;
        if (amount is null || statistics is null) return "-";
        return (amount.Value / statistics.Mean).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>What one call of <paramref name="method"/> does, in billionths of the unit per nanosecond; null when no parameter counts it.</summary>
    protected abstract double? Amount(IEnumerable<object> parameters, string method);
}

/// <summary>GFLOP/s of a case whose parameters include an <see cref="ICountsFlops"/>.</summary>
public sealed class FlopsColumn() : PerSecondColumn("GFLOP/s",
    "Billions of floating-point operations a second (an FMA counts two), from the mean time")
{
    protected override double? Amount(IEnumerable<object> parameters, string method)
        => parameters.OfType<ICountsFlops>().FirstOrDefault()?.Flops(method);
}

/// <summary>GB/s of a case whose parameters include an <see cref="ICountsBytes"/>.</summary>
public sealed class BytesColumn() : PerSecondColumn("GB/s", "Billions of bytes a second, from the mean time")
{
    protected override double? Amount(IEnumerable<object> parameters, string method)
        => parameters.OfType<ICountsBytes>().FirstOrDefault()?.Bytes(method);
}
