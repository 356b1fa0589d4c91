using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using Xunit.Abstractions;

namespace RnnCluster.Tests.PyTorch;

public class ForwardAgreementTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-5;

    [Theory]
    [MemberData(nameof(PyTorchCase.All), MemberType = typeof(PyTorchCase))]
    public void Output_matches_pytorch(string caseName)
    {
        var fixture = PyTorchCase.Load(caseName);
        float[] expected = fixture.Safetensors.Values("output");
        if (fixture.Config.Training.Loss == LossKind.CrossEntropy && fixture.Network.Layers[^1].Config is not DenseConfig { Activation: Activation.Softmax })
            expected = Probabilities(expected, fixture.Network.OutputSize);
        var output = new float[expected.Length];
        fixture.Engine.Predict(fixture.Parameters(), fixture.Safetensors.Values("x"), fixture.Samples, fixture.Timesteps, output, fixture.Lengths);
        Agreement.Within(Tolerance, $"{caseName} output", expected, output, log);
    }

    /// <summary>
    /// A classifier's logits as predict gives them, probabilities: softmax over each row of <paramref name="width"/>,
    /// in double (torch.softmax of the fixture's output).
    /// </summary>
    private static float[] Probabilities(float[] logits, int width)
    {
        var probabilities = new float[logits.Length];
        for (int row = 0; row < logits.Length / width; row++)
        {
            var z = logits.AsSpan(row * width, width).ToArray();
            double max = z.Max(), sum = z.Sum(v => System.Math.Exp(v - max));
            for (int j = 0; j < width; j++) probabilities[row * width + j] = (float)(System.Math.Exp(z[j] - max) / sum);
        }
        return probabilities;
    }

    [Theory]
    [MemberData(nameof(PyTorchCase.All), MemberType = typeof(PyTorchCase))]
    public void Minibatch_mean_loss_matches_pytorch(string caseName)
    {
        var fixture = PyTorchCase.Load(caseName);
        var (_, loss) = fixture.MinibatchGradient(fixture.Parameters());
        Agreement.Within(Tolerance, $"{caseName} loss", fixture.Safetensors.Values("loss"), [(float)loss], log);
    }
}
