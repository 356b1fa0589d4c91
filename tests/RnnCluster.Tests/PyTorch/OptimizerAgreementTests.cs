using Rnn.Math.Training;
using Xunit.Abstractions;

namespace RnnCluster.Tests.PyTorch;

using Optimizer = Rnn.Math.Training.Optimizer;

public class OptimizerAgreementTests(ITestOutputHelper log)
{
    private const double Tolerance = 1e-5;

    /// <summary>
    /// Several steps on one minibatch with the case's optimizer (Adam, or SGD with momentum in sgd_momentum_lstm),
    /// the gradient clipped to the global norm `clipNorm` first where the config sets it (clipnorm_adam_gru).
    /// </summary>
    [Theory]
    [MemberData(nameof(PyTorchCase.All), MemberType = typeof(PyTorchCase))]
    public void Weights_after_several_optimizer_steps_match_pytorch(string caseName)
    {
        var fixture = PyTorchCase.Load(caseName);
        float[] parameters = fixture.Parameters();
        var optimizer = Optimizer.Create(fixture.Config.Training.OptimizerOrDefault);
        var state = optimizer.Initial(parameters.Length);
        for (int step = 0; step < fixture.Steps; step++)
        {
            float[] gradient = fixture.MinibatchGradient(parameters).Gradient;
            GradientClipping.ClipGlobalNorm(gradient, fixture.Config.Training.ClipNorm);
            (parameters, state) = optimizer.Step(parameters, state, gradient);
        }
        float[] expected = fixture.Parameters(fixture.StepPrefix);
        foreach (var slot in fixture.Network.Layout.Slots)
            Agreement.Within(Tolerance, $"{caseName} {fixture.StepPrefix}{slot.Name}", slot.Of(expected.AsSpan()), slot.Of(parameters.AsSpan()), log);
    }
}
