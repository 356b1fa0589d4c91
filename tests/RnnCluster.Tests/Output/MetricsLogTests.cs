using System.Text.Json;
using RnnCluster.Coordinator.Output;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Tests.Output;

public class MetricsLogTests
{
    [Fact]
    public void EachEpochIsOneJsonLineWithTheContractFields()
    {
        using var folder = new TempFolder();
        var log = new MetricsLog(folder.Path, []);

        log.Append(new EpochMetrics(1, 0.5, 0.25, 1000, 2, 1.5, 10, 1));
        log.Append(new EpochMetrics(2, 0.4, 0.2, 1100, 2, 3.0, 10, 1));

        var lines = File.ReadAllLines(folder.File(MetricsLog.FileName));
        Assert.Equal(2, lines.Length);
        using var second = JsonDocument.Parse(lines[1]);
        Assert.Equal(2, second.RootElement.GetProperty("epoch").GetInt32());
        Assert.Equal(0.4, second.RootElement.GetProperty("loss").GetDouble());
        Assert.Equal(0.2, second.RootElement.GetProperty("valLoss").GetDouble());
        Assert.Equal(1100, second.RootElement.GetProperty("seqPerSec").GetDouble());
        Assert.Equal(2, second.RootElement.GetProperty("workers").GetInt32());
        Assert.Equal(3.0, second.RootElement.GetProperty("elapsedSec").GetDouble());
    }

    [Fact]
    public void ValLossIsLeftOutWithoutValidationData()
    {
        using var folder = new TempFolder();
        var log = new MetricsLog(folder.Path, []);

        log.Append(new EpochMetrics(1, 0.5, null, 1000, 1, 1.0, 10, 0));

        Assert.DoesNotContain("valLoss", File.ReadAllText(folder.File(MetricsLog.FileName)));
    }

    [Fact]
    public void A_log_going_on_from_a_history_rewrites_the_file_with_that_history_only()
    {
        using var folder = new TempFolder();
        var path = folder.File(MetricsLog.FileName);
        File.WriteAllLines(path, ["{\"epoch\":1}", "{\"epoch\":2}", "{\"epoch\":3}"]);

        var log = new MetricsLog(folder.Path, [new EpochMetrics(1, 0.5, null, 1000, 1, 1.0, 10, 0)]);
        Assert.Single(File.ReadAllLines(path));
        log.Append(new EpochMetrics(2, 0.4, null, 1000, 1, 2.0, 10, 0));

        Assert.Equal([1, 2], File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("epoch").GetInt32()));
    }

    [Fact]
    public void A_new_run_replaces_an_old_log_at_its_first_epoch_so_its_lines_are_not_appended_to_another_runs()
    {
        using var folder = new TempFolder();
        var path = folder.File(MetricsLog.FileName);
        File.WriteAllLines(path, ["{\"epoch\":1}", "{\"epoch\":2}"]);

        var log = new MetricsLog(folder.Path, []);
        Assert.Equal(2, File.ReadAllLines(path).Length);
        log.Append(new EpochMetrics(1, 0.5, null, 1000, 1, 1.0, 10, 0));
        log.Append(new EpochMetrics(2, 0.4, null, 1000, 1, 2.0, 10, 0));

        Assert.Equal([0.5, 0.4], File.ReadAllLines(path).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("loss").GetDouble()));
    }

    [Fact]
    public void LossesThatAreNotFiniteAreWrittenAsNamedNumbersThatReadBack()
    {
        using var folder = new TempFolder();
        var log = new MetricsLog(folder.Path, []);

        log.Append(new EpochMetrics(1, double.NaN, double.PositiveInfinity, 1000, 1, 1.0, 10, 0, SkippedSteps: 3));

        var line = File.ReadAllText(folder.File(MetricsLog.FileName));
        Assert.Contains("\"loss\":\"NaN\"", line);
        Assert.Contains("\"valLoss\":\"Infinity\"", line);
        Assert.Contains("\"skippedSteps\":3", line);
        var back = JsonSerializer.Deserialize<EpochMetrics>(line, new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        })!;
        Assert.True(double.IsNaN(back.Loss));
        Assert.Equal(double.PositiveInfinity, back.ValLoss);
    }
}
