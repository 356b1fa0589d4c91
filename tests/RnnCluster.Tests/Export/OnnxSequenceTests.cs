using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Rnn.Math.Training;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.Export;

/// <summary>
/// The layers of sequences in ONNX: bidirectional rnn/lstm/gru (ONNX's own direction="bidirectional"), lengths
/// (the optional input `lengths`, the operators' sequence_lens), and an embedding over int64 ids whose maskZero
/// padding gives the lengths when none are fed. ONNX Runtime gives what `predict` gives, within 1e-5.
/// </summary>
public class OnnxSequenceTests
{
    private const int Samples = 5, Timesteps = 7;
    private static readonly long[] Lengths = [7, 1, 4, 6, 2];

    public static TheoryData<string, string, string> Models => new()
    {
        { "bidirectional lstm", """{ "inputSize": 3, "layers": [ { "type": "lstm", "units": 5, "bidirectional": true }, { "type": "dense", "units": 2 } ] }""", "mse" },
        { "stacked bidirectional gru, rnn", """
            { "inputSize": 2, "layers": [ { "type": "gru", "units": 4, "returnSequences": true, "bidirectional": true },
              { "type": "rnn", "units": 3, "bidirectional": true }, { "type": "dense", "units": 1 } ] }
            """, "mse" },
        { "many-to-many bidirectional lstm into classes", """
            { "inputSize": 2, "layers": [ { "type": "lstm", "units": 4, "returnSequences": true, "bidirectional": true }, { "type": "dense", "units": 3 } ] }
            """, "crossentropy" },
        { "one-way gru", """{ "inputSize": 2, "layers": [ { "type": "gru", "units": 4, "returnSequences": true }, { "type": "dense", "units": 2 } ] }""", "mse" },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void OnnxRuntime_GivesPredictsOutputs_WithAndWithoutLengths(string name, string model, string loss)
    {
        using var saved = new SavedModel(model, loss);
        var x = Model.ModelFactory.Uniform(Samples * Timesteps * saved.Network.InputSize, 11, 1f);
        var onnx = saved.Export();
        foreach (var lengths in new[] { null, Lengths })
        {
            var input = Write(saved, "x.safetensors", new NamedTensor("x", [Samples, Timesteps, saved.Network.InputSize], x), lengths);
            var (expected, shape) = saved.Predict(input);
            var feeds = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, new[] { Samples, Timesteps, saved.Network.InputSize })) };
            if (lengths is not null) feeds.Add(NamedOnnxValue.CreateFromTensor("lengths", new DenseTensor<long>(lengths, new[] { Samples })));
            var (actual, actualShape) = OnnxRuntimeRun.Of(onnx, feeds);
            Assert.Equal(shape, actualShape);
            OnnxRuntimeRun.AssertClose(expected, actual, $"{name}, {(lengths is null ? "no lengths" : "lengths")}");
        }
    }

    [Fact]
    public void AnEmbeddingTakesInt64Ids_AndItsPaddingGivesTheLengths()
    {
        using var saved = new SavedModel("""
            { "layers": [ { "type": "embedding", "inputDim": 9, "outputDim": 4, "maskZero": true },
              { "type": "lstm", "units": 5, "bidirectional": true }, { "type": "dense", "units": 3 } ] }
            """, "crossentropy");
        var ids = new long[Samples * Timesteps];
        for (int s = 0; s < Samples; s++)
            for (int t = 0; t < Lengths[s]; t++)
                ids[s * Timesteps + t] = 1 + (long)(CounterRandom.Uniform(5, 0, (ulong)(s * Timesteps + t)) * 8);
        var input = Write(saved, "ids.safetensors", new NamedTensor("x", [Samples, Timesteps], ids.Select(id => (float)id).ToArray()), null);
        var (expected, shape) = saved.Predict(input);
        var onnx = saved.Export();

        var (actual, actualShape) = OnnxRuntimeRun.Of(onnx, [NamedOnnxValue.CreateFromTensor("x", new DenseTensor<long>(ids, new[] { Samples, Timesteps }))]);

        Assert.Equal([Samples, 3], shape);
        Assert.Equal(shape, actualShape);
        OnnxRuntimeRun.AssertClose(expected, actual, "embedding, maskZero padding as lengths");
        for (int s = 0; s < Samples; s++) Assert.Equal(1f, actual.AsSpan(s * 3, 3).ToArray().Sum(), 5);
    }

    private static string Write(SavedModel saved, string name, NamedTensor x, long[]? lengths)
    {
        var path = saved.File(name);
        SafeTensors.Write(path, lengths is null ? [x] : [x, new NamedTensor("lengths", [Samples], lengths.Select(l => (float)l).ToArray())]);
        return path;
    }
}
