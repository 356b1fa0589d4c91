using System.Globalization;
using System.Text;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.Cli;

/// <summary>
/// A folder laid out for a bad-input test: a small valid CSV series and config, and an output folder that
/// already holds a model, whose bytes each test checks are untouched.
/// </summary>
internal sealed class RunFolder : IDisposable
{
    public const string ValidConfig = """
        {
          "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 4 }, { "type": "dense", "units": 1 } ] },
          "data": { "source": "csv", "path": "series.csv", "columns": ["value"], "target": "value",
                    "timesteps": 3, "horizon": 1, "validationSplit": 0.25, "normalize": "minmax" },
          "training": { "epochs": 1, "batchSize": 4, "loss": "mse", "seed": 1 }
        }
        """;

    private readonly TempFolder folder = new();
    private readonly Dictionary<string, byte[]> existingModel = new();

    public RunFolder()
    {
        var series = new StringBuilder("value\n");
        for (var i = 0; i < 20; i++) series.Append((i % 5).ToString(CultureInfo.InvariantCulture)).Append('\n');
        folder.Write("series.csv", series.ToString());
        Config = folder.Write("config.json", ValidConfig);
        foreach (var name in new[] { "model.json", "model.safetensors", "metrics.jsonl", "loss.png" })
        {
            var bytes = Encoding.UTF8.GetBytes($"the previous run's {name}");
            existingModel[name] = bytes;
            Directory.CreateDirectory(Out);
            System.IO.File.WriteAllBytes(Path.Combine(Out, name), bytes);
        }
    }

    public string Config { get; }

    public string Out => folder.File("out");

    public string Write(string name, string content) => folder.Write(name, content);

    public string File(string name) => folder.File(name);

    /// <summary>A config that differs from the valid one by one textual replacement.</summary>
    public string ConfigWith(string find, string replaceWith)
    {
        Assert.Contains(find, ValidConfig);
        return Write("config.json", ValidConfig.Replace(find, replaceWith));
    }

    public string WriteTensors(string name, params NamedTensor[] tensors)
    {
        var path = folder.File(name);
        SafeTensors.Write(path, tensors);
        return path;
    }

    public CliRun Train(params string[] extra) => CliRun.Of(["train", "--config", Config, "--out", Out, "--quiet", .. extra]);

    public CliRun TrainWithConfig(string config) => CliRun.Of("train", "--config", config, "--out", Out, "--quiet");

    /// <summary>The output folder's model files are exactly what they were before the run.</summary>
    public void AssertExistingModelUntouched()
    {
        foreach (var (name, bytes) in existingModel) Assert.Equal(bytes, System.IO.File.ReadAllBytes(Path.Combine(Out, name)));
    }

    public void Dispose() => folder.Dispose();
}
