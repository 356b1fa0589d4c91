using Rnn.Math.Model;
using static RnnCluster.Tests.Model.ModelFactory;

namespace RnnCluster.Tests.Model;

/// <summary>Keras's initialisers in PyTorch's layout, from the seed alone.</summary>
public class InitializationTests
{
    private static readonly Network Model = Build(3, Lstm(5, sequences: true), Gru(4, sequences: true), TanhRnn(6), Dense(2));

    private static float[] Initialized(ulong seed)
    {
        var parameters = new float[Model.ParameterCount];
        Model.Initialize(parameters, seed);
        return parameters;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void RecurrentWeights_AreOrthogonalAsKerasRecurrentKernel(int layer)
    {
        // Keras's kernel K (H, G·H) has orthonormal rows, K Kᵀ = I; PyTorch stores W_hh = Kᵀ, so W_hhᵀ W_hh = I.
        var slot = Model.Layout[$"layers.{layer}.weight_hh_l0"];
        var w = slot.Of(Initialized(7).AsSpan()).ToArray();
        int rows = slot.Shape[0], units = slot.Shape[1];
        for (int a = 0; a < units; a++)
            for (int b = 0; b < units; b++)
            {
                double dot = 0;
                for (int r = 0; r < rows; r++) dot += (double)w[r * units + a] * w[r * units + b];
                Assert.Equal(a == b ? 1.0 : 0.0, dot, 1e-5);
            }
    }

    [Theory]
    [InlineData("layers.0.weight_ih_l0", 3, 20)]
    [InlineData("layers.1.weight_ih_l0", 5, 12)]
    [InlineData("layers.2.weight_ih_l0", 4, 6)]
    [InlineData("layers.3.weight", 6, 2)]
    public void InputWeights_AreGlorotUniform(string name, int fanIn, int fanOut)
    {
        double limit = System.Math.Sqrt(6.0 / (fanIn + fanOut));
        var w = Model.Layout[name].Of(Initialized(7).AsSpan()).ToArray();
        Assert.All(w, v => Assert.InRange(System.Math.Abs(v), 0.0, limit));
        Assert.True(w.Max(System.Math.Abs) > 0.7 * limit, "the draws should spread over the interval");
    }

    [Fact]
    public void Biases_AreZero_ExceptTheLstmForgetGateOfBiasIh()
    {
        var parameters = Initialized(7);
        var lstmBias = Model.Layout["layers.0.bias_ih_l0"].Of(parameters.AsSpan()).ToArray();
        Assert.Equal(Enumerable.Repeat(0f, 5).Concat(Enumerable.Repeat(1f, 5)).Concat(Enumerable.Repeat(0f, 10)), lstmBias);
        foreach (var name in new[] { "layers.0.bias_hh_l0", "layers.1.bias_ih_l0", "layers.1.bias_hh_l0", "layers.2.bias_ih_l0", "layers.2.bias_hh_l0", "layers.3.bias" })
            Assert.All(Model.Layout[name].Of(parameters.AsSpan()).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void SameSeed_GivesSameBits_OtherSeed_GivesOtherWeights()
    {
        Assert.Equal(Initialized(42), Initialized(42));
        Assert.NotEqual(Initialized(42), Initialized(43));
    }
}
