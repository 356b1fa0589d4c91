using System.Text.Json;

namespace RnnCluster.Tests.Cli;

/// <summary>
/// training.earlyStopping through the CLI: the run stops `patience` epochs after its best one, which metrics.jsonl
/// shows independently; the model is the best epoch's weights, the bytes of a run trained for exactly that many
/// epochs; and a run cut short after its best epoch and resumed keeps them and stops where the whole run did.
/// </summary>
public class EarlyStoppingTests
{
    private const int Patience = 2;

    private static string Config(TempFolder folder, bool stopping) => folder.Write(stopping ? "stopping.json" : "plain.json",
        WorkerCountDeterminismTests.Config.Replace("\"clipNorm\": 0.05 }", "\"clipNorm\": 0.05, \"optimizer\": { \"type\": \"adam\", \"learningRate\": 0.05 }" +
            (stopping ? $", \"earlyStopping\": {{ \"monitor\": \"valLoss\", \"patience\": {Patience}, \"restoreBest\": true }} }}" : " }")));

    private static CliRun Train(params string[] args) => CliRun.Of(["train", .. args, "--quiet"]);

    private static double[] ValLosses(string run) => [.. File.ReadAllLines(Path.Combine(run, "metrics.jsonl"))
        .Select(line => JsonDocument.Parse(line).RootElement.GetProperty("valLoss").GetDouble())];

    private static byte[] Model(string run) => File.ReadAllBytes(Path.Combine(run, "model.safetensors"));

    [Fact]
    public void The_run_stops_patience_epochs_after_its_best_and_keeps_the_best_epochs_weights()
    {
        using var folder = new TempFolder();
        var run = folder.File("run");

        var result = Train("--config", Config(folder, stopping: true), "--out", run, "--epochs", "60", "--workers", "2");

        Assert.Equal(0, result.ExitCode);
        var losses = ValLosses(run);
        int best = 1;
        for (int epoch = 2; epoch <= losses.Length; epoch++)
            if (losses[epoch - 1] < losses[best - 1]) best = epoch;
        Assert.True(losses.Length < 60, "the run never stopped early: choose a config that overfits sooner");
        Assert.Equal(best + Patience, losses.Length);
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "model.json"))))
        {
            var training = manifest.RootElement.GetProperty("training");
            Assert.Equal(best, training.GetProperty("bestEpoch").GetInt32());
            Assert.Equal(losses.Length, training.GetProperty("stoppedEpoch").GetInt32());
        }
        Assert.Contains($"stopped early after epoch {losses.Length}; best epoch {best}", result.Stdout);

        var plain = folder.File("plain");
        Assert.Equal(0, Train("--config", Config(folder, stopping: false), "--out", plain, "--epochs", best.ToString(), "--workers", "1").ExitCode);
        Assert.Equal(Model(plain), Model(run));
    }

    [Fact]
    public void A_run_cut_short_after_its_best_epoch_resumes_to_the_same_stop_and_weights()
    {
        using var folder = new TempFolder();
        var config = Config(folder, stopping: true);
        var (whole, cut) = (folder.File("whole"), folder.File("cut"));
        Assert.Equal(0, Train("--config", config, "--out", whole, "--epochs", "60", "--workers", "1").ExitCode);
        int stopped = ValLosses(whole).Length;

        // One epoch before the stop: the best epoch is behind it, its weights only in the checkpoint.
        Assert.Equal(0, Train("--config", config, "--out", cut, "--epochs", (stopped - 1).ToString(), "--workers", "3").ExitCode);
        Assert.Equal(0, Train("--resume", cut, "--epochs", "60", "--workers", "2").ExitCode);

        Assert.Equal(stopped, ValLosses(cut).Length);
        Assert.Equal(Model(whole), Model(cut));
    }
}
