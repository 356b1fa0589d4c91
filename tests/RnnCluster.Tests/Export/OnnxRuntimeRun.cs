using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RnnCluster.Tests.Export;

/// <summary>ONNX Runtime on an exported file: its inputs in, y and its shape out; and how close it must come to predict.</summary>
internal static class OnnxRuntimeRun
{
    /// <summary>The largest difference from predict allowed: float32 rounding of the same math in another order.</summary>
    public const float Tolerance = 1e-5f;

    public static (float[] Y, int[] Shape) Of(string onnxPath, float[] x, int samples, int timesteps, int features)
        => Of(onnxPath, [NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [samples, timesteps, features]))]);

    public static (float[] Y, int[] Shape) Of(string onnxPath, IReadOnlyCollection<NamedOnnxValue> inputs) => Outputs(onnxPath, inputs)["y"];

    /// <summary>Every output of the graph by name, with its shape.</summary>
    public static Dictionary<string, (float[] Values, int[] Shape)> Outputs(string onnxPath, IReadOnlyCollection<NamedOnnxValue> inputs)
    {
        using var session = new InferenceSession(onnxPath);
        using var results = session.Run(inputs);
        return results.ToDictionary(r => r.Name, r =>
        {
            var tensor = r.AsTensor<float>();
            return (tensor.ToArray(), tensor.Dimensions.ToArray());
        });
    }

    public static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        int worst = Enumerable.Range(0, expected.Length).MaxBy(i => MathF.Abs(expected[i] - actual[i]));
        Assert.True(MathF.Abs(expected[worst] - actual[worst]) <= Tolerance,
            $"{what}: element {worst}: predict {expected[worst]}, ONNX Runtime {actual[worst]}");
    }
}
