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
        var output = new float[expected.Length];
        fixture.Engine.Predict(fixture.Parameters(), fixture.Safetensors.Values("x"), fixture.Samples, fixture.Timesteps, output, fixture.Lengths);
        Agreement.Within(Tolerance, $"{caseName} output", expected, output, log);
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
