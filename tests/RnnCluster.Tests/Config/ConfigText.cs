using Rnn.Math;
using Rnn.Math.Config;

namespace RnnCluster.Tests.Config;

/// <summary>The contract's example config, one field per line so tests can point at lines, and ways to break it.</summary>
internal static class ConfigText
{
    public const string Example = """
        {
          "model": {
            "inputSize": 1,
            "layers": [
              { "type": "lstm", "units": 50 },
              { "type": "dropout", "rate": 0.2 },
              { "type": "dense", "units": 1 }
            ]
          },
          "data": {
            "source": "csv",
            "path": "passengers.csv",
            "columns": ["passengers"],
            "target": "passengers",
            "timesteps": 12,
            "horizon": 1,
            "validationSplit": 0.2,
            "normalize": "minmax"
          },
          "training": {
            "epochs": 100,
            "batchSize": 32,
            "loss": "mse",
            "shuffle": true,
            "seed": 42,
            "clipNorm": 1.0,
            "optimizer": { "type": "adam", "learningRate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7 }
          }
        }
        """;

    /// <summary>A minimal config around the given `data` object and `training` fields.</summary>
    public static string With(string data, string training = "")
        => $$"""
        {
          "model": { "inputSize": 2, "layers": [ { "type": "gru", "units": 8 } ] },
          "data": {{data}},
          "training": { {{training}} }
        }
        """;

    public static RunConfig Parse(string json) => ConfigLoader.Parse(json, "config.json", "/base");

    /// <summary>The message of the InputException the config raises.</summary>
    public static string ErrorOf(string json)
        => Assert.Throws<InputException>(() => Parse(json)).Message;

    /// <summary>The example with its first <paramref name="from"/> replaced by <paramref name="to"/>.</summary>
    public static string ExampleWith(string from, string to)
    {
        int at = Example.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the example has no {from}");
        return Example[..at] + to + Example[(at + from.Length)..];
    }
}
