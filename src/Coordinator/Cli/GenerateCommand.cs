using System.Globalization;
using System.Text;
using Rnn.Math;
using Rnn.Math.Data;
using Rnn.Math.Losses;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Output;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// generate: text from a model trained on a text source. It prints the prompt and then <c>--length</c> characters,
/// each drawn from the model's next-character probabilities given the characters before it (at most the training
/// window's <c>timesteps</c> of them, as the model saw them in training). <c>--temperature</c> sharpens (below 1)
/// or flattens (above 1) the distribution, 0 takes the likeliest character; <c>--top-k</c> draws among the k
/// likeliest only. The draws are a counter-based stream of <c>--seed</c>: the same seed gives the same text on any
/// machine.
/// </summary>
internal static class GenerateCommand
{
    private const int DefaultLength = 200;

    public static int Run(ParsedArgs args, CliContext context)
    {
        var model = TrainedModel.Load(args.RequiredFolder("--model"));
        var vocabulary = model.Vocabulary
            ?? throw new InputException($"--model: generate writes text with a model trained on a text source; this one was trained on {model.Config.Data.Source.ToString().ToLowerInvariant()} data");
        if (model.Config.Model.Layers.Any(layer => layer is Rnn.Math.LayerTypes.RecurrentConfig { Bidirectional: true }))
            throw new InputException("--model: a bidirectional model reads each window from both ends, so it cannot write one character after another");
        int length = args.PositiveInt("--length") ?? DefaultLength;
        int topK = args.PositiveInt("--top-k") ?? vocabulary.Count;
        double temperature = Number(args, "--temperature", 1.0, t => t >= 0 && double.IsFinite(t), "a number >= 0 (0: always the likeliest character)");
        ulong seed = args.Has("--seed") ? Seed(args) : 0;
        string prompt = args.Text("--prompt") ?? "";
        var ids = TextCorpus.Encode(vocabulary, prompt, "--prompt").ToList();
        if (ids.Count == 0)
        {
            prompt = vocabulary.Contains("\n") ? "\n" : vocabulary[0];
            ids.Add(vocabulary.ToList().IndexOf(prompt));
        }

        var text = new StringBuilder(prompt);
        // A model that is not stateful sees at most the window it was trained on; a stateful one reads the prompt once and
        // then goes on one character at a time from the state it carries, however long the text grows (docs/stateful.md).
        int window = model.Config.Data.Timesteps;
        var state = model.IsStateful ? new float[model.Network.StateWidth] : null;
        for (int k = 0; k < length; k++)
        {
            int[] read = state is null ? [.. ids.Skip(System.Math.Max(0, ids.Count - window))] : k == 0 ? [.. ids] : [ids[^1]];
            var probabilities = model.NextCharacter(read, state);
            int next = Draw(probabilities, temperature, topK, CounterRandom.Uniform(seed, (ulong)k));
            ids.Add(next);
            text.Append(vocabulary[next]);
        }
        context.Stdout.WriteLine(text.ToString());
        return RnnClusterApp.Success;
    }

    /// <summary>
    /// The character <paramref name="uniform"/> picks from <paramref name="probabilities"/> raised to 1/temperature
    /// and cut to the top k (ties by id), renormalised; temperature 0 is the arg max.
    /// </summary>
    internal static int Draw(float[] probabilities, double temperature, int topK, float uniform)
    {
        if (temperature == 0) return LossSums.ArgMax(probabilities);
        var kept = Enumerable.Range(0, probabilities.Length)
            .OrderByDescending(id => probabilities[id]).ThenBy(id => id)
            .Take(topK).Order().ToArray();
        var logs = kept.Select(id => System.Math.Log(probabilities[id]) / temperature).ToArray();
        double max = logs.Max();
        var weights = logs.Select(l => System.Math.Exp(l - max)).ToArray();
        double target = uniform * weights.Sum(), sum = 0;
        for (int i = 0; i < kept.Length; i++)
        {
            sum += weights[i];
            if (target < sum) return kept[i];
        }
        return kept[^1];
    }

    private static double Number(ParsedArgs args, string flag, double fallback, Func<double, bool> valid, string expected)
    {
        if (!args.Has(flag)) return fallback;
        var text = args.RequiredText(flag);
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && valid(value)
            ? value
            : throw new InputException($"{flag}: expected {expected}, got '{text}'");
    }

    private static ulong Seed(ParsedArgs args)
    {
        var text = args.RequiredText("--seed");
        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
            ? seed
            : throw new InputException($"--seed: expected a whole number from 0 to {ulong.MaxValue}, got '{text}'");
    }
}
