using Rnn.Math.Training;
using Xunit.Abstractions;

namespace RnnCluster.Tests.PyTorch;

public class OptimizerAgreementTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-5;

    /// <summary>Adam in every case but one, SGD with momentum in sgd_momentum_lstm; each takes several steps on one minibatch.</summary>
    [Theory]
    [MemberData(nameof(PyTorchCase.All), MemberType = typeof(PyTorchCase))]
    public void Weights_after_several_optimizer_steps_match_pytorch(string caseName)
    {
        var fixture = PyTorchCase.Load(caseName);
        float[] parameters = fixture.Parameters();
        var optimizer = Optimizer.Create(fixture.Config.Training.OptimizerOrDefault, parameters.Length);
        for (int step = 0; step < fixture.Steps; step++)
            optimizer.Step(parameters, fixture.MinibatchGradient(parameters).Gradient);
        float[] expected = fixture.Parameters(fixture.StepPrefix);
        foreach (var slot in fixture.Network.Layout.Slots)
            Agreement.Within(Tolerance, $"{caseName} {fixture.StepPrefix}{slot.Name}", slot.Of(expected.AsSpan()), slot.Of(parameters.AsSpan()), log);
    }
}
