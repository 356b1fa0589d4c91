using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RnnCluster.Tests.Export;

/// <summary>
/// A stateful model in ONNX (docs/stateful.md): the graph takes `state` and gives `state_out`, so a caller that feeds
/// each window the state the one before left carries its streams as `predict` does. ONNX Runtime gives predict's
/// outputs within 1e-5.
/// </summary>
public class OnnxStatefulTests
{
    [Fact]
    public void Feeding_state_out_back_as_state_gives_predicts_outputs_for_each_streams_next_window()
    {
        // A stateful lstm (h and c) over a plain gru over a stateful rnn: state rows of 5 + 5, then 3.
        using var saved = new SavedModel("""
            { "inputSize": 2, "layers": [ { "type": "lstm", "units": 5, "returnSequences": true, "stateful": true },
              { "type": "gru", "units": 4, "returnSequences": true }, { "type": "rnn", "units": 3, "stateful": true },
              { "type": "dense", "units": 2 } ] }
            """);
        const int Streams = 32, Timesteps = 6, Width = 2 * 5 + 3;
        // 64 windows as predict reads them (as training's 32 streams): stream s is windows 2s and 2s + 1.
        var (input, x) = saved.Inputs("x.safetensors", 2 * Streams, Timesteps);
        var (expected, _) = saved.Predict(input);
        var onnx = saved.Export();

        var state = new float[Streams * Width];
        for (int k = 0; k < 2; k++)
        {
            int xWidth = Timesteps * 2;
            var windows = new float[Streams * xWidth];
            for (int s = 0; s < Streams; s++) x.AsSpan((2 * s + k) * xWidth, xWidth).CopyTo(windows.AsSpan(s * xWidth));
            var outputs = OnnxRuntimeRun.Outputs(onnx, [
                NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(windows, new[] { Streams, Timesteps, 2 })),
                NamedOnnxValue.CreateFromTensor("state", new DenseTensor<float>(state, new[] { Streams, Width }))]);
            Assert.Equal([Streams, Width], outputs["state_out"].Shape);
            var predicted = Enumerable.Range(0, Streams).SelectMany(s => expected.AsSpan((2 * s + k) * 2, 2).ToArray()).ToArray();
            OnnxRuntimeRun.AssertClose(predicted, outputs["y"].Values, $"window {k} of each stream");
            state = outputs["state_out"].Values;
        }
    }
}
