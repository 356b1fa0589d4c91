using System.Text.Json;

namespace RnnCluster.Tests.Cli;

/// <summary>The README's character model as committed: its config trains on its text and learns something in one epoch.</summary>
public class SequenceExampleTests
{
    [Fact]
    public void The_character_model_example_beats_a_uniform_guess_on_its_held_out_text_after_one_epoch()
    {
        using var folder = new TempFolder();
        var model = folder.File("charlm");

        var run = CliRun.Of("train", "--config", Repository.File("examples/charlm/config.json"), "--out", model, "--epochs", "1", "--quiet");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "model.json")));
        int vocabulary = manifest.RootElement.GetProperty("vocabulary").GetArrayLength();
        Assert.Equal(File.ReadAllText(Repository.File("examples/charlm/gpl-3.txt")).Distinct().Count(), vocabulary);
        var epoch = JsonDocument.Parse(File.ReadAllLines(Path.Combine(model, "metrics.jsonl")).Single()).RootElement;
        // A uniform guess over the characters has perplexity equal to their count.
        Assert.InRange(epoch.GetProperty("valPerplexity").GetDouble(), 1, vocabulary / 2.0);
        var text = CliRun.Of("generate", "--model", model, "--prompt", "GNU", "--length", "20");
        Assert.True(text.ExitCode == 0, text.Stderr);
        Assert.StartsWith("GNU", text.Stdout);
    }
}
