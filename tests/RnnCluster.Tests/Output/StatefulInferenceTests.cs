using System.Globalization;
using RnnCluster.Coordinator.Output;
using RnnCluster.Tests.Cli;

namespace RnnCluster.Tests.Output;

/// <summary>
/// docs/stateful.md: a stateful model predicts a CSV series as one stream of windows that follow each other, each
/// window going on from the state the one before left, and writes text one character at a time from the state it carries.
/// </summary>
public class StatefulInferenceTests
{
    private const string SeriesConfig = """
        {
          "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 4, "stateful": true }, { "type": "dense", "units": 1 } ] },
          "data": { "source": "csv", "path": "series.csv", "columns": ["value"], "target": "value", "timesteps": 3, "streams": 2, "normalize": "minmax" },
          "training": { "epochs": 1, "loss": "mse", "shuffle": false, "seed": 1 }
        }
        """;

    private static string Series(Func<int, double> value)
        => "value\n" + string.Concat(Enumerable.Range(0, 20).Select(i => value(i).ToString(CultureInfo.InvariantCulture) + "\n"));

    private static TrainedModel Trained(TempFolder folder, string config, string dataFile, string data)
    {
        folder.Write(dataFile, data);
        var run = CliRun.Of("train", "--config", folder.Write("config.json", config), "--out", folder.File("run"), "--quiet");
        Assert.True(run.ExitCode == 0, run.Stderr);
        return TrainedModel.Load(folder.File("run"));
    }

    [Fact]
    public void A_series_is_predicted_window_after_window_each_from_the_state_the_one_before_left()
    {
        using var folder = new TempFolder();
        var model = Trained(folder, SeriesConfig, "series.csv", Series(i => System.Math.Sin(i * 0.7)));
        var series = model.Windows(folder.File("series.csv"));
        // 20 rows in windows of 3 that follow each other: rows 0-2, 3-5, ..., 18-20 (the last one's target is past the end).
        Assert.Equal(6, series.Windows);

        // Only the first window's rows change: every later prediction moves with the state it handed on.
        var changed = model.Windows(folder.Write("changed.csv", Series(i => i < 3 ? 0.9 : System.Math.Sin(i * 0.7))));
        var (before, after) = (model.PredictNormalised(series), model.PredictNormalised(changed));
        Assert.All(Enumerable.Range(1, 5), w => Assert.NotEqual(before[w], after[w]));
    }

    [Fact]
    public void Text_written_one_character_at_a_time_from_the_carried_state_is_the_text_read_whole()
    {
        using var folder = new TempFolder();
        const string config = """
            {
              "model": { "layers": [ { "type": "embedding", "outputDim": 4 }, { "type": "gru", "units": 6, "returnSequences": true, "stateful": true }, { "type": "dense" } ] },
              "data": { "source": "text", "path": "text.txt", "timesteps": 8, "streams": 3 },
              "training": { "epochs": 1, "loss": "crossentropy", "shuffle": false, "seed": 1 }
            }
            """;
        var model = Trained(folder, config, "text.txt", string.Concat(Enumerable.Repeat("the cat sat on the mat. ", 10)));
        int[] ids = [.. Enumerable.Range(0, 30).Select(i => i * 7 % model.Vocabulary!.Count)];

        var state = new float[model.Network.StateWidth];
        var stepwise = model.NextCharacter(ids[..5], state);
        foreach (int id in ids[5..]) stepwise = model.NextCharacter([id], state);

        var whole = model.NextCharacter(ids);
        Assert.Equal(whole.Length, stepwise.Length);
        for (int c = 0; c < whole.Length; c++) Assert.Equal(whole[c], stepwise[c], 1e-6f);
    }
}
