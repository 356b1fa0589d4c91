using System.Text.Json;

namespace RnnCluster.Tests.Cli;

/// <summary>train --resume through the CLI: what it accepts, what it refuses, and that it ends on the undisturbed run's bytes.</summary>
public class ResumeTests
{
    [Fact]
    public void A_truncated_newest_checkpoint_is_passed_over_with_one_warning_and_the_run_ends_on_the_same_bytes()
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", WorkerCountDeterminismTests.Config);
        var run = folder.File("run");
        Assert.Equal(0, Train("--config", config, "--out", run, "--epochs", "3").ExitCode);
        var undisturbed = File.ReadAllBytes(Model(run));
        var newest = Directory.GetFiles(Path.Combine(run, "checkpoints")).Max()!;
        File.WriteAllBytes(newest, File.ReadAllBytes(newest)[..1000]);
        File.Delete(Model(run));

        var resumed = Train("--resume", run, "--workers", "3");

        Assert.Equal(0, resumed.ExitCode);
        var warning = Assert.Single(resumed.StderrLines);
        Assert.StartsWith("warning: checkpoint ", warning);
        Assert.Contains(Path.GetFileName(newest), warning);
        Assert.Equal(undisturbed, File.ReadAllBytes(Model(run)));
        Assert.Equal([1, 2, 3], Epochs(run));
    }

    [Fact]
    public void A_finished_run_resumed_with_more_epochs_ends_on_the_bytes_of_the_longer_run()
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", WorkerCountDeterminismTests.Config);
        var (run, longer) = (folder.File("run"), folder.File("longer"));
        Assert.Equal(0, Train("--config", config, "--out", longer, "--epochs", "4", "--workers", "1").ExitCode);
        Assert.Equal(0, Train("--config", config, "--out", run, "--epochs", "2", "--workers", "2").ExitCode);

        Assert.Equal(0, Train("--resume", run, "--epochs", "4", "--workers", "3").ExitCode);

        Assert.Equal(File.ReadAllBytes(Model(longer)), File.ReadAllBytes(Model(run)));
        Assert.Equal([1, 2, 3, 4], Epochs(run));
    }

    [Theory]
    [InlineData("""{ "type": "adamw", "learningRate": 0.01, "weightDecay": 0.1 }""")]
    [InlineData("""{ "type": "rmsprop", "learningRate": 0.01 }""")]
    [InlineData("""{ "type": "sgd", "learningRate": 0.05, "momentum": 0.9, "nesterov": true }""")]
    public void Every_optimizers_state_goes_through_a_checkpoint_to_the_bytes_of_the_longer_run(string optimizer)
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", WorkerCountDeterminismTests.Config.Replace("\"clipNorm\": 0.05 }", $"\"clipNorm\": 0.05, \"optimizer\": {optimizer} }}"));
        Assert.Contains(optimizer, File.ReadAllText(config));
        var (run, longer) = (folder.File("run"), folder.File("longer"));
        Assert.Equal(0, Train("--config", config, "--out", longer, "--epochs", "4", "--workers", "1").ExitCode);
        Assert.Equal(0, Train("--config", config, "--out", run, "--epochs", "2", "--workers", "3").ExitCode);

        Assert.Equal(0, Train("--resume", run, "--epochs", "4", "--workers", "2").ExitCode);

        Assert.Equal(File.ReadAllBytes(Model(longer)), File.ReadAllBytes(Model(run)));
    }

    [Theory]
    [InlineData("""{ "type": "step", "every": 2, "gamma": 0.5 }""")]
    [InlineData("""{ "type": "cosine", "warmupSteps": 3, "minLearningRate": 0.0001 }""")]
    [InlineData("""{ "type": "plateau", "monitor": "valLoss", "factor": 0.5, "patience": 1 }""")]
    public void A_scheduled_run_logs_each_epochs_rate_and_resumes_to_the_bytes_and_rates_of_the_longer_run(string schedule)
    {
        using var folder = new TempFolder();
        var config = folder.Write("config.json", WorkerCountDeterminismTests.Config.Replace("\"clipNorm\": 0.05 }",
            $"\"clipNorm\": 0.05, \"optimizer\": {{ \"type\": \"adam\", \"learningRate\": 0.02 }}, \"schedule\": {schedule} }}"));
        Assert.Contains(schedule, File.ReadAllText(config));
        var (run, longer) = (folder.File("run"), folder.File("longer"));
        Assert.Equal(0, Train("--config", config, "--out", longer, "--epochs", "6", "--workers", "1").ExitCode);
        Assert.Equal(0, Train("--config", config, "--out", run, "--epochs", "6", "--workers", "3", "--checkpoint-every", "1").ExitCode);
        // Back to the oldest checkpoint the run kept, inside its last epoch: the newer ones removed, then the run
        // resumed on other workers from a state whose rate depends on every epoch before it.
        foreach (var newer in Directory.GetFiles(Path.Combine(run, "checkpoints")).Order(StringComparer.Ordinal).Skip(1))
            File.Delete(newer);
        File.Delete(Model(run));

        Assert.Equal(0, Train("--resume", run, "--workers", "2").ExitCode);

        Assert.Equal(File.ReadAllBytes(Model(longer)), File.ReadAllBytes(Model(run)));
        var rates = Rates(longer);
        Assert.Equal(rates, Rates(run));
        Assert.Equal(6, rates.Length);
        if (schedule.Contains("step")) Assert.Equal([0.02, 0.02, 0.01, 0.01, 0.005, 0.005], rates.Select(r => System.Math.Round(r, 7)));
        else Assert.True(rates.Distinct().Count() > 1 || schedule.Contains("plateau"), $"the rate never moved: {string.Join(", ", rates)}");
    }

    private static double[] Rates(string run) => [.. File.ReadAllLines(Path.Combine(run, "metrics.jsonl"))
        .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("learningRate").GetDouble())];

    [Fact]
    public void A_resume_with_another_model_exits_2_naming_what_differs()
    {
        using var folder = new TempFolder();
        var run = Trained(folder);
        var wider = folder.Write("wider.json", WorkerCountDeterminismTests.Config.Replace("\"units\": 6", "\"units\": 7"));

        var resumed = Train("--resume", run, "--config", wider);

        Assert.Equal(2, resumed.ExitCode);
        Assert.Contains("is a checkpoint of another run: model.layers[0].units: 6 in the checkpoint, 7 now", Assert.Single(resumed.StderrLines));
    }

    [Fact]
    public void A_resume_with_other_data_exits_2_naming_it()
    {
        using var folder = new TempFolder();
        var run = Trained(folder);
        var other = folder.Write("other.json", WorkerCountDeterminismTests.Config.Replace("\"seed\": 3", "\"seed\": 4"));

        var resumed = Train("--resume", run, "--config", other);

        Assert.Equal(2, resumed.ExitCode);
        Assert.Contains("data.seed: 3 in the checkpoint, 4 now; the data's values differ", Assert.Single(resumed.StderrLines));
    }

    [Fact]
    public void Fewer_epochs_than_the_checkpoint_has_done_exit_2()
    {
        using var folder = new TempFolder();
        var run = Trained(folder);

        var resumed = Train("--resume", run, "--epochs", "1");

        Assert.Equal(2, resumed.ExitCode);
        Assert.Contains("give --epochs 2 or more", resumed.Stderr);
    }

    [Fact]
    public void A_fresh_run_into_a_folder_holding_checkpoints_exits_2_and_leaves_them()
    {
        using var folder = new TempFolder();
        var run = Trained(folder);
        var before = Directory.GetFiles(Path.Combine(run, "checkpoints")).Select(File.ReadAllBytes).ToList();

        var again = Train("--config", folder.File("config.json"), "--out", run);

        Assert.Equal(2, again.ExitCode);
        Assert.Contains($"--resume {run}", again.Stderr);
        Assert.Equal(before, Directory.GetFiles(Path.Combine(run, "checkpoints")).Select(File.ReadAllBytes).ToList());
    }

    [Fact]
    public void A_folder_without_checkpoints_cannot_be_resumed()
    {
        using var folder = new TempFolder();
        var run = Trained(folder);
        Directory.Delete(Path.Combine(run, "checkpoints"), recursive: true);

        var resumed = Train("--resume", run);

        Assert.Equal(2, resumed.ExitCode);
        Assert.Contains("no checkpoint in", resumed.Stderr);
    }

    [Theory]
    [InlineData("--init-weights")]
    [InlineData("--out")]
    public void A_resume_refuses_flags_that_would_start_elsewhere(string flag)
    {
        using var folder = new TempFolder();
        var run = Trained(folder);
        var value = flag == "--out" ? folder.File("elsewhere") : Model(run);

        var resumed = Train("--resume", run, flag, value);

        Assert.Equal(2, resumed.ExitCode);
        Assert.StartsWith($"error: {flag}", resumed.Stderr);
    }

    private static string Trained(TempFolder folder)
    {
        var config = folder.Write("config.json", WorkerCountDeterminismTests.Config);
        var run = folder.File("run");
        Assert.Equal(0, Train("--config", config, "--out", run).ExitCode);
        return run;
    }

    private static CliRun Train(params string[] args) => CliRun.Of(["train", .. args, "--quiet"]);

    private static string Model(string run) => Path.Combine(run, "model.safetensors");

    private static int[] Epochs(string run) =>
        File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Select(line => JsonDocument.Parse(line).RootElement.GetProperty("epoch").GetInt32()).ToArray();
}
