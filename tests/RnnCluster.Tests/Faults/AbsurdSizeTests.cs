using System.Diagnostics;
using System.Globalization;
using System.Text;
using RnnCluster.Tests.Cli;

namespace RnnCluster.Tests.Faults;

/// <summary>
/// Sizes no machine can train, refused in seconds with exit 2 before anything large is allocated: the message
/// names the config field and the memory or the array length it would need.
/// </summary>
public class AbsurdSizeTests
{
    /// <summary>Far more than the refusals allocate, far less than what the sizes refused would.</summary>
    private const long AllocationLimit = 256L * 1024 * 1024;

    [Theory]
    [InlineData("1e9", "model.layers[0].units: 1000000000 is too large: 4 gates × 1000000000 units = 4,000,000,000 rows, " +
        "more than one array can hold (2,147,483,591 values)")]
    [InlineData("100000", "model.layers[0].units: 100000 is too large: layers.0.weight_hh_l0 [400000, 100000] would hold 40,000,000,000 values (149.0 GB), " +
        "more than one array can hold (2,147,483,591)")]
    public void Units_whose_tensors_overflow_an_array_are_named_with_the_count_that_overflows(string units, string error)
    {
        using var run = new RunFolder();
        Assert.Equal($"error: {error}", Refused(run, run.ConfigWith("\"units\": 4", $"\"units\": {units}")).StderrLines.Single());
    }

    [Fact]
    public void A_model_that_fits_in_arrays_but_not_in_memory_is_refused_with_the_estimate()
    {
        using var run = new RunFolder();
        // 20000 units: 4·20000·(1 + 20000 + 2) = 1,600,240,000 parameters, 6.0 GB of float32; a worker holds one
        // gradient for each of the 256 groups of a minibatch of 1024 in groups of 4: 1.5 TB.
        var config = run.Write("wide.json", """
            {
              "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 20000 }, { "type": "dense", "units": 1 } ] },
              "data": { "source": "synthetic", "generator": "sine", "samples": 2000, "timesteps": 5 },
              "training": { "batchSize": 1024 }
            }
            """);

        var line = Refused(run, config, "--workers", "2").StderrLines.Single();

        Assert.StartsWith("error: model.layers[0].units: 20000 needs about ", line);
        Assert.Contains(" in this process: 2 workers × ", line);
        Assert.Contains("(weights 6.0 GB, gradients of 256 groups 1.5 TB, activations ", line);
        Assert.Matches(@"; this machine has \d+\.\d [MGT]B$", line);
    }

    [Fact]
    public void A_minibatch_whose_buffers_overflow_an_array_is_named()
    {
        using var run = new RunFolder();
        var config = run.Write("long.json", """
            {
              "model": { "inputSize": 2, "layers": [ { "type": "lstm", "units": 2000 }, { "type": "dense", "units": 1 } ] },
              "data": { "source": "synthetic", "generator": "adding", "samples": 5000, "timesteps": 1000 },
              "training": { "batchSize": 5000 }
            }
            """);

        // The gates of one shard: 5000 samples × 1000 timesteps × 4·2000 values.
        Assert.Equal("error: training.batchSize: 5000 is too large: a shard buffer of model.layers[0] would hold 40,000,000,000 values (149.0 GB), " +
            "more than one array can hold (2,147,483,591)", Refused(run, config, "--workers", "1").StderrLines.Single());
    }

    [Fact]
    public void Generated_samples_that_overflow_an_array_are_named()
    {
        using var run = new RunFolder();
        var config = run.Write("many.json", """
            {
              "model": { "inputSize": 2, "layers": [ { "type": "lstm", "units": 4 }, { "type": "dense", "units": 1 } ] },
              "data": { "source": "synthetic", "generator": "adding", "samples": 2000000000, "timesteps": 1000 }
            }
            """);
        Assert.Equal("error: data.samples: 2000000000 is too large: 2,000,000,000 samples × 1000 timesteps × 2 features = 4,000,000,000,000 values (14.6 TB), " +
            "more than one array can hold (2,147,483,591)", Refused(run, config).StderrLines.Single());
    }

    [Fact]
    public void Csv_windows_that_overflow_an_array_are_named_with_the_file()
    {
        using var run = new RunFolder();
        var series = new StringBuilder("value\n");
        for (int i = 0; i < 100_000; i++) series.Append((i % 7).ToString(CultureInfo.InvariantCulture)).Append('\n');
        run.Write("long.csv", series.ToString());
        var config = run.ConfigWith("\"path\": \"series.csv\"", "\"path\": \"long.csv\"");
        config = run.Write("config.json", File.ReadAllText(config).Replace("\"timesteps\": 3", "\"timesteps\": 50000"));

        // 100,000 rows make 50,000 windows of 50,000 steps with their targets.
        Assert.Equal("error: data.timesteps: 50000 is too large for long.csv: its 50,000 windows of 50000 × 1 would hold 2,500,000,000 values (9.3 GB), " +
            "more than one array can hold (2,147,483,591)", Refused(run, config).StderrLines.Single());
    }

    /// <summary>Trains with <paramref name="config"/>: exit 2 within seconds, little allocated, the folder's earlier model untouched.</summary>
    private static CliRun Refused(RunFolder run, string config, params string[] extra)
    {
        var clock = Stopwatch.StartNew();
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = CliRun.Of(["train", "--config", config, "--out", run.Out, "--quiet", .. extra]);
        Assert.True(result.ExitCode == 2, result.Stderr);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(20));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, AllocationLimit);
        run.AssertExistingModelUntouched();
        return result;
    }
}
