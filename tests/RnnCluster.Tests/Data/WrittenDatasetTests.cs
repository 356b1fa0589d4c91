using Rnn.Math.Config;
using Rnn.Math.Data;

namespace RnnCluster.Tests.Data;

/// <summary>
/// `train` has its data written beside the run (<see cref="DatasetLoader.Load"/> with a file to write to): CSV and
/// text windows cut one at a time from their series into the file, any other data that is not a safetensors file
/// already copied there, and the file mapped. The dataset must be the one loading into arrays gives, value for value.
/// </summary>
public class WrittenDatasetTests
{
    private static string Csv(int rows, double phase) => "a,b\n" + string.Concat(Enumerable.Range(0, rows)
        .Select(i => FormattableString.Invariant($"{Math.Sin(i * 0.3 + phase):0.0000},{Math.Cos(i * 0.2 + phase):0.0000}\n")));

    public static TheoryData<string, string> Sources() => new()
    {
        { "csv", """{ "source": "csv", "path": "train.csv", "columns": ["a", "b"], "target": "b", "timesteps": 5, "stride": 2, "horizon": 2, "validationSplit": 0.25, "normalize": "minmax" }""" },
        { "csv", """{ "source": "csv", "path": "train.csv", "validationPath": "validation.csv", "columns": ["a", "b"], "target": "a", "timesteps": 4, "normalize": "zscore" }""" },
        { "text", """{ "source": "text", "path": "train.txt", "timesteps": 6, "stride": 3, "validationSplit": 0.2 }""" },
        { "text", """{ "source": "text", "path": "train.txt", "validationPath": "validation.txt", "timesteps": 5 }""" },
        { "synthetic", """{ "source": "synthetic", "generator": "sine", "samples": 30, "timesteps": 7, "seed": 2, "validationSplit": 0.2 }""" },
    };

    [Theory]
    [MemberData(nameof(Sources))]
    public void Written_and_mapped_the_dataset_is_the_one_built_in_arrays(string kind, string data)
    {
        using var folder = new TempFolder();
        folder.Write("train.csv", Csv(60, 0));
        folder.Write("validation.csv", Csv(20, 1));
        folder.Write("train.txt", "the quick brown fox jumps over the lazy dog, then sleeps. ");
        folder.Write("validation.txt", "the lazy dog sleeps over the fox. ");
        string model = kind switch
        {
            "csv" => """{ "inputSize": 2, "layers": [ { "type": "lstm", "units": 3 }, { "type": "dense", "units": 1 } ] }""",
            "text" => """{ "layers": [ { "type": "embedding", "outputDim": 4 }, { "type": "lstm", "units": 3, "returnSequences": true }, { "type": "dense" } ] }""",
            _ => """{ "inputSize": 1, "layers": [ { "type": "lstm", "units": 3 }, { "type": "dense", "units": 1 } ] }""",
        };
        string loss = kind == "text" ? "crossentropy" : "mse";
        var config = ConfigLoader.Load(folder.Write("config.json",
            $$"""{ "model": {{model}}, "data": {{data}}, "training": { "epochs": 1, "batchSize": 8, "loss": "{{loss}}" } }"""));
        var corpus = TextCorpus.Of(config);
        if (corpus is not null) config = config with { Model = config.Model.WithVocabulary(corpus.Vocabulary.Count) };

        var built = DatasetLoader.Load(config, corpus: corpus);
        var heard = new List<DatasetSize>();
        string path = folder.File("run/data.safetensors");
        var written = DatasetLoader.Load(config, heard.Add, corpus, path);

        Assert.Null(built.MappedFile);
        Assert.Equal(path, written.MappedFile);
        Assert.All(heard, size => Assert.True(size.Mapped));
        Assert.Equal(built.X.ToArray(), written.X.ToArray());
        Assert.Equal(built.Y.ToArray(), written.Y.ToArray());
        Assert.Equal((built.Samples, built.TrainCount, built.Timesteps, built.Features, built.Targets, built.SequenceTargets, built.Classes),
            (written.Samples, written.TrainCount, written.Timesteps, written.Features, written.Targets, written.SequenceTargets, written.Classes));
        Assert.Equal(built.Scaling?.Target, written.Scaling?.Target);
    }

    [Fact]
    public void A_safetensors_file_of_float32_x_and_y_is_mapped_where_it_is_and_nothing_is_written()
    {
        using var folder = new TempFolder();
        string data = folder.File("data.safetensors");
        Rnn.Math.Weights.SafeTensors.Write(data, [new("x", [6, 3, 1], new float[18]), new("y", [6, 1], new float[6])]);
        var config = ConfigLoader.Load(folder.Write("config.json", """
            { "model": { "inputSize": 1, "layers": [ { "type": "lstm", "units": 3 }, { "type": "dense", "units": 1 } ] },
              "data": { "source": "safetensors", "path": "data.safetensors" }, "training": { "epochs": 1, "batchSize": 2 } }
            """));

        var written = DatasetLoader.Load(config, writeTo: folder.File("run/data.safetensors"));

        Assert.Equal(data, written.MappedFile);
        Assert.False(Directory.Exists(folder.File("run")));
    }
}
