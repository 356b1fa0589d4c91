using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace RnnCluster.Tests.Export;

/// <summary>ONNX Runtime on an exported file: x [N, T, I] in, y and its shape out.</summary>
internal static class OnnxRuntimeRun
{
    public static (float[] Y, int[] Shape) Of(string onnxPath, float[] x, int samples, int timesteps, int features)
    {
        using var session = new InferenceSession(onnxPath);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", new DenseTensor<float>(x, [samples, timesteps, features]))]);
        var y = results.Single(r => r.Name == "y").AsTensor<float>();
        return (y.ToArray(), y.Dimensions.ToArray());
    }
}
