using Xunit.Abstractions;

namespace RnnCluster.Tests.PyTorch;

public class GradientAgreementTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-5;

    [Theory]
    [MemberData(nameof(PyTorchCase.All), MemberType = typeof(PyTorchCase))]
    public void Gradient_of_every_tensor_matches_pytorch(string caseName)
    {
        var fixture = PyTorchCase.Load(caseName);
        var (gradient, _) = fixture.MinibatchGradient(fixture.Parameters());
        foreach (var slot in fixture.Network.Layout.Slots)
            Agreement.Within(Tolerance, $"{caseName} grad.{slot.Name}", fixture.Safetensors.Values("grad." + slot.Name), slot.Of(gradient.AsSpan()), log);
    }
}
