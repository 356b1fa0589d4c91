using System.Globalization;
using Onnx;
using Rnn.Math.Weights;
using RnnCluster.Tests.Cli;

namespace RnnCluster.Tests.Export;

/// <summary>
/// ONNX Runtime on the file `export` writes gives what `predict` gives, within 1e-5, for the same inputs: every
/// recurrent type, stacked, many-to-one and many-to-many, softmax heads, and a CSV-trained model in data units.
/// </summary>
public class OnnxAgreementTests
{
    public static TheoryData<string, string, string> Models => new()
    {
        { "lstm", """{ "inputSize": 3, "layers": [ { "type": "lstm", "units": 6 }, { "type": "dense", "units": 2 } ] }""", "mse" },
        { "gru", """{ "inputSize": 3, "layers": [ { "type": "gru", "units": 5 }, { "type": "dense", "units": 2 } ] }""", "mse" },
        { "rnn", """{ "inputSize": 3, "layers": [ { "type": "rnn", "units": 5 }, { "type": "dense", "units": 1 } ] }""", "mse" },
        { "stacked lstm, dropout, gru", """
            { "inputSize": 2, "layers": [ { "type": "lstm", "units": 6, "returnSequences": true }, { "type": "dropout", "rate": 0.3 },
              { "type": "gru", "units": 4 }, { "type": "dense", "units": 3, "activation": "tanh" } ] }
            """, "mse" },
        { "many-to-many gru", """{ "inputSize": 2, "layers": [ { "type": "gru", "units": 6, "returnSequences": true }, { "type": "dense", "units": 2 } ] }""", "mse" },
        { "many-to-many stacked rnn, lstm", """
            { "inputSize": 2, "layers": [ { "type": "rnn", "units": 5, "returnSequences": true },
              { "type": "lstm", "units": 4, "returnSequences": true }, { "type": "dense", "units": 1, "activation": "sigmoid" } ] }
            """, "mae" },
        { "softmax head into crossentropy", """
            { "inputSize": 3, "layers": [ { "type": "lstm", "units": 6 }, { "type": "dense", "units": 5, "activation": "relu" },
              { "type": "dense", "units": 4, "activation": "softmax" } ] }
            """, "crossentropy" },
        { "many-to-many softmax head", """
            { "inputSize": 3, "layers": [ { "type": "gru", "units": 6, "returnSequences": true }, { "type": "dense", "units": 3, "activation": "softmax" } ] }
            """, "mse" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void OnnxRuntime_GivesPredictsOutputs(string name, string model, string loss)
    {
        using var saved = new SavedModel(model, loss);
        var (input, x) = saved.Inputs("x.safetensors", samples: 5, timesteps: 7);

        var (expected, expectedShape) = saved.Predict(input);
        var (actual, shape) = OnnxRuntimeRun.Of(saved.Export(), x, 5, 7, saved.Network.InputSize);

        Assert.Equal(expectedShape, shape);
        OnnxRuntimeRun.AssertClose(expected, actual, name);
    }

    [Fact]
    public void OneExportedFile_TakesAnyBatchSizeAndSequenceLength()
    {
        using var saved = new SavedModel("""{ "inputSize": 2, "layers": [ { "type": "lstm", "units": 4, "returnSequences": true }, { "type": "dense", "units": 1 } ] }""");
        var onnx = saved.Export();
        foreach (var (samples, timesteps) in new[] { (1, 2), (9, 13) })
        {
            var (input, x) = saved.Inputs($"x{samples}.safetensors", samples, timesteps);
            var (expected, expectedShape) = saved.Predict(input);
            var (actual, shape) = OnnxRuntimeRun.Of(onnx, x, samples, timesteps, 2);
            Assert.Equal(expectedShape, shape);
            OnnxRuntimeRun.AssertClose(expected, actual, $"N={samples}, T={timesteps}");
        }
    }

    [Fact]
    public void RecurrentLayers_AreOnnxsOwnOperators_AtOpset17()
    {
        using var saved = new SavedModel("""
            { "inputSize": 2, "layers": [ { "type": "lstm", "units": 3, "returnSequences": true }, { "type": "gru", "units": 3, "returnSequences": true },
              { "type": "rnn", "units": 3 }, { "type": "dense", "units": 1 } ] }
            """);
        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(saved.Export()));

        Assert.Equal(17, model.OpsetImport.Single().Version);
        Assert.Equal("", model.OpsetImport.Single().Domain);
        Assert.Equal(["LSTM", "GRU", "RNN"], model.Graph.Node.Select(n => n.OpType).Where(op => op is "LSTM" or "GRU" or "RNN"));
        var gru = model.Graph.Node.Single(n => n.OpType == "GRU");
        Assert.Equal(1, gru.Attribute.Single(a => a.Name == "linear_before_reset").I);
    }

    [Fact]
    public void CsvTrainedModel_TakesAndGivesTheDatasUnits_AsPredictDoes()
    {
        using var folder = new TempFolder();
        var csv = Repository.File("examples/multifeature/multifeature.csv");
        var config = folder.Write("config.json", $$"""
            {
              "model": { "inputSize": 3, "layers": [ { "type": "lstm", "units": 8 }, { "type": "dense", "units": 1 } ] },
              "data": { "source": "csv", "path": "{{csv}}", "columns": ["passengers", "month_sin", "month_cos"], "target": "passengers",
                        "timesteps": 6, "horizon": 1, "normalize": "zscore" },
              "training": { "epochs": 2, "batchSize": 16, "seed": 3 }
            }
            """);
        var model = folder.File("run");
        Assert.Equal(0, CliRun.Of("train", "--config", config, "--out", model, "--workers", "1", "--quiet").ExitCode);
        var predictions = folder.File("predictions.csv");
        Assert.Equal(0, CliRun.Of("predict", "--model", model, "--input", csv, "--output", predictions).ExitCode);
        var onnx = folder.File("model.onnx");
        Assert.Equal(0, CliRun.Of("export", "--model", model, "--onnx", onnx).ExitCode);

        // Every complete window of the raw rows, in the file's own units.
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        int[] columns = [Array.IndexOf(header, "passengers"), Array.IndexOf(header, "month_sin"), Array.IndexOf(header, "month_cos")];
        var rows = lines[1..].Select(line => line.Split(',')).Select(cells => columns.Select(c => float.Parse(cells[c], CultureInfo.InvariantCulture)).ToArray()).ToArray();
        int windows = rows.Length - 6 + 1;
        var x = Enumerable.Range(0, windows).SelectMany(w => rows[w..(w + 6)].SelectMany(row => row)).ToArray();
        var (y, shape) = OnnxRuntimeRun.Of(onnx, x, windows, 6, 3);

        var expected = File.ReadAllLines(predictions).Skip(1).Select(line => float.Parse(line.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([windows, 1], shape);
        Assert.Equal(windows, expected.Length);
        // Passenger counts run to 622: 1e-5 relative is float32 rounding at that size; predict prints 7 significant digits.
        for (int w = 0; w < windows; w++)
            Assert.True(MathF.Abs(expected[w] - y[w]) <= 1e-5f * MathF.Max(1f, MathF.Abs(expected[w])), $"window {w}: predict {expected[w]}, ONNX Runtime {y[w]}");
    }
}
