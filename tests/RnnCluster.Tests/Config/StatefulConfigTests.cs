using Rnn.Math.LayerTypes;
using static RnnCluster.Tests.Config.ConfigText;

namespace RnnCluster.Tests.Config;

/// <summary>`"stateful": true` and `data.streams` (docs/stateful.md): what they make of the config, and what they refuse.</summary>
public class StatefulConfigTests
{
    /// <summary>The example's lstm made stateful, its CSV windows read as streams, with <paramref name="data"/> and <paramref name="training"/> fields replaced.</summary>
    private static string Stateful(string data = "", string training = "\"shuffle\": false,")
    {
        var json = ExampleWith("{ \"type\": \"lstm\", \"units\": 50 }", "{ \"type\": \"lstm\", \"units\": 50, \"stateful\": true }")
            .Replace("\"shuffle\": true,", training, StringComparison.Ordinal);
        return data.Length == 0 ? json : json.Replace("\"horizon\": 1,", "\"horizon\": 1, " + data, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stateful_model_reads_batchSize_streams_of_windows_that_follow_each_other_in_order()
    {
        var config = Parse(Stateful());

        Assert.True(((LstmConfig)config.Model.Layers[0]).Stateful);
        Assert.Equal(100, ((LstmConfig)config.Model.Layers[0]).StateWidth);
        Assert.Equal((32, 32, 12, false), (config.Data.Streams, config.Training.BatchSize, config.Data.Stride, config.Training.Shuffle));
        Assert.True(config.Model.ToJson()["layers"]![0]!["stateful"]!.GetValue<bool>());
    }

    [Fact]
    public void Streams_set_the_batch_size_and_a_model_without_state_reads_every_csv_window()
    {
        var config = Parse(Stateful("\"streams\": 4,", training: "").Replace("\"batchSize\": 32,", "", StringComparison.Ordinal));
        Assert.Equal((4, 4, false), (config.Data.Streams, config.Training.BatchSize, config.Training.Shuffle));

        var plain = Parse(Example);
        Assert.Equal((0, 1), (plain.Data.Streams, plain.Data.Stride));
    }

    [Theory]
    [InlineData("\"streams\": 4,", "\"shuffle\": false,", "line 22: training.batchSize: a stateful model's minibatch is one window of each of its data.streams (4): drop batchSize or make it 4")]
    [InlineData("", "\"shuffle\": true,", "line 24: training.shuffle: a stateful model reads each stream's windows in order: shuffle must be false")]
    [InlineData("\"stride\": 1,", "\"shuffle\": false,", "line 16: data.stride: a stateful model carries each window's state into the next, so its windows must follow each other: stride must equal timesteps (12)")]
    [InlineData("\"streams\": 0,", "", "line 16: data.streams: expected a positive whole number, got 0")]
    public void A_stateful_config_that_cannot_carry_its_state_is_refused_naming_the_field(string data, string training, string expected)
    {
        Assert.Contains(expected, ErrorOf(Stateful(data, training)));
    }

    [Fact]
    public void Streams_without_a_stateful_layer_and_a_stateful_bidirectional_layer_are_refused()
    {
        Assert.Contains("data.streams: only a stateful model reads its data as streams: set \"stateful\": true on its recurrent layers",
            ErrorOf(ExampleWith("\"horizon\": 1,", "\"horizon\": 1, \"streams\": 4,")));
        Assert.Contains("model.layers[0].stateful: a bidirectional layer reads each window from its end as well",
            Assert.Throws<Rnn.Math.InputException>(() => new Rnn.Math.Model.Network(Parse(Stateful().Replace("\"stateful\": true", "\"stateful\": true, \"bidirectional\": true")).Model)).Message);
    }
}
