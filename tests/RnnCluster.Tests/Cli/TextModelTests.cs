using System.Text.Json;
using Rnn.Math.Losses;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.Cli;

/// <summary>
/// A character model end to end: `data.source: "text"` with the vocabulary's sizes left out, the vocabulary in
/// model.json, the same weights on any number of workers, `generate` deterministic for a seed and, greedy,
/// the chain of predict's likeliest characters; and its bad input, exit 2 naming the culprit.
/// </summary>
public class TextModelTests
{
    private const string Text = "the cat sat on the mat. the dog sat on the log. a cat and a dog met on a mat.\n";

    private const string Config = """
        {
          "model": { "layers": [
            { "type": "embedding", "outputDim": 6 },
            { "type": "lstm", "units": 12, "returnSequences": true },
            { "type": "dense" } ] },
          "data": { "source": "text", "path": "corpus.txt", "timesteps": 8, "stride": 3, "validationSplit": 0.2 },
          "training": { "epochs": 3, "batchSize": 8, "loss": "crossentropy", "seed": 3, "metrics": ["accuracy", "perplexity"],
                        "optimizer": { "type": "adam", "learningRate": 0.01 } }
        }
        """;

    private static (TempFolder Folder, string Config) Corpus(string text = Text)
    {
        var folder = new TempFolder();
        folder.Write("corpus.txt", string.Concat(Enumerable.Repeat(text, 4)));
        return (folder, folder.Write("config.json", Config));
    }

    private static string Train(TempFolder folder, string config, string name, int workers)
    {
        var model = folder.File(name);
        var run = CliRun.Of("train", "--config", config, "--out", model, "--workers", workers.ToString(), "--quiet");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return model;
    }

    [Fact]
    public void A_character_model_keeps_its_vocabulary_and_the_same_bits_on_any_number_of_workers()
    {
        var (folder, config) = Corpus();
        using var _ = folder;

        var one = Train(folder, config, "one", 1);
        var three = Train(folder, config, "three", 3);

        Assert.Equal(File.ReadAllBytes(Path.Combine(one, "model.safetensors")), File.ReadAllBytes(Path.Combine(three, "model.safetensors")));
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(one, "model.json")));
        var vocabulary = manifest.RootElement.GetProperty("vocabulary").EnumerateArray().Select(c => c.GetString()!).ToArray();
        Assert.Equal(Text.Distinct().Order().Select(c => c.ToString()), vocabulary);
        var weights = SafeTensors.Read(Path.Combine(one, "model.safetensors"));
        Assert.Equal([vocabulary.Length, 6], weights.Get("layers.0.weight").Shape);
        Assert.Equal([vocabulary.Length, 12], weights.Get("layers.2.weight").Shape);
        var last = JsonDocument.Parse(File.ReadAllLines(Path.Combine(one, "metrics.jsonl"))[^1]).RootElement;
        Assert.Equal(System.Math.Exp(last.GetProperty("valLoss").GetDouble()), last.GetProperty("valPerplexity").GetDouble(), 12);

        var evaluate = CliRun.Of("evaluate", "--model", one, "--input", folder.Write("held-out.txt", "the cat met the dog on a log.\n"), "--json");
        Assert.True(evaluate.ExitCode == 0, evaluate.Stderr);
        using var scores = JsonDocument.Parse(evaluate.Stdout.Trim());
        Assert.Equal(System.Math.Exp(scores.RootElement.GetProperty("loss").GetDouble()), scores.RootElement.GetProperty("perplexity").GetDouble(), 9);
    }

    [Fact]
    public void Generate_is_the_same_for_a_seed_and_greedy_is_the_chain_of_predicts_likeliest_characters()
    {
        var (folder, config) = Corpus();
        using var _ = folder;
        var model = Train(folder, config, "model", 1);

        var first = CliRun.Of("generate", "--model", model, "--prompt", "the ", "--length", "40", "--seed", "9", "--top-k", "5");
        var again = CliRun.Of("generate", "--model", model, "--prompt", "the ", "--length", "40", "--seed", "9", "--top-k", "5");
        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(first.Stdout, again.Stdout);
        Assert.StartsWith("the ", first.Stdout);
        Assert.Equal(4 + 40, first.Stdout.TrimEnd('\n').Length);

        var greedy = CliRun.Of("generate", "--model", model, "--prompt", "a cat", "--length", "6", "--temperature", "0").Stdout.TrimEnd('\n');
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "model.json")));
        var vocabulary = manifest.RootElement.GetProperty("vocabulary").EnumerateArray().Select(c => c.GetString()!).ToList();
        var context = "a cat".Select(c => vocabulary.IndexOf(c.ToString())).ToList();
        for (int k = 0; k < 6; k++)
        {
            var window = context.Skip(System.Math.Max(0, context.Count - 8)).ToArray();
            var input = folder.File($"context{k}.safetensors");
            SafeTensors.Write(input, [new NamedTensor("x", [1, window.Length], window.Select(id => (float)id).ToArray())]);
            var output = folder.File($"next{k}.safetensors");
            Assert.Equal(0, CliRun.Of("predict", "--model", model, "--input", input, "--output", output).ExitCode);
            var probabilities = SafeTensors.Read(output).Get("y").Data.ToArray();
            context.Add(LossSums.ArgMax(probabilities.AsSpan(probabilities.Length - vocabulary.Count)));
        }
        Assert.Equal(string.Concat(context.Select(id => vocabulary[id])), greedy);
    }

    [Fact]
    public void A_prompt_character_outside_the_vocabulary_is_named()
    {
        var (folder, config) = Corpus();
        using var _ = folder;
        var model = Train(folder, config, "model", 1);

        var run = CliRun.Of("generate", "--model", model, "--prompt", "the Zebra");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --prompt: character 'Z' (U+005A) at position 4 is not in the model's vocabulary of 15 characters", run.Stderr.TrimEnd());
        Assert.Equal(15, Text.Distinct().Count());
    }

    [Theory]
    [InlineData("", "corpus.txt: the text is empty")]
    [InlineData("\u00ff\u00fe", "corpus.txt: not UTF-8 text: byte 0 (0xFF)")]
    public void An_empty_or_not_utf8_text_is_refused_and_nothing_is_written(string latin1, string expected)
    {
        var (folder, config) = Corpus();
        using var _ = folder;
        File.WriteAllBytes(folder.File("corpus.txt"), latin1.Select(c => (byte)c).ToArray());
        var model = folder.File("model");

        var run = CliRun.Of("train", "--config", config, "--out", model, "--quiet");

        Assert.Equal(2, run.ExitCode);
        var line = Assert.Single(run.StderrLines);
        Assert.StartsWith($"error: {expected}", line);
        Assert.False(Directory.Exists(model));
    }

    [Fact]
    public void Generate_refuses_a_model_that_was_not_trained_on_text()
    {
        using var model = new ModelFolder();

        var run = CliRun.Of("generate", "--model", model.Model);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: --model: generate writes text with a model trained on a text source; this one was trained on csv data", run.Stderr);
    }
}
