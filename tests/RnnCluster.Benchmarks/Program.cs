using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using RnnCluster.Benchmarks;

// Every benchmark class of this assembly, chosen with BenchmarkDotNet's own flags (--filter, --list, --job).
BenchmarkSwitcher.FromAssembly(typeof(FlopsColumn).Assembly)
    .Run(args, DefaultConfig.Instance
        .AddColumn(new FlopsColumn(), new BytesColumn())
        .WithSummaryStyle(SummaryStyle.Default.WithMaxParameterColumnWidth(48)));
