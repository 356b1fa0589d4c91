using Rnn.Math.Config;
using Rnn.Math.Model;
using static RnnCluster.Tests.Model.ModelFactory;

namespace RnnCluster.Tests.Model;

/// <summary>
/// Truncated BPTT: the gradient is Σ over windows of the gradient of that window's loss with the state entering the
/// window held constant. The reference below computes exactly that objective in double, for a tanh rnn under a
/// linear dense head, and differentiates it numerically; it shares no code with the engine.
/// </summary>
public class TruncatedBpttTests
{
    private const int Inputs = 2, Units = 3, Outputs = 2;

    [Theory]
    [InlineData(true, 2)]
    [InlineData(true, 4)]
    [InlineData(false, 2)]
    [InlineData(false, 1)]
    public void Gradient_IsTheSumOfWindowGradientsWithTheEnteringStateHeldConstant(bool manyToMany, int window)
    {
        var network = Build(Inputs, TanhRnn(Units, manyToMany), Dense(Outputs));
        var engine = new GradientEngine(network, LossKind.Mse, window);
        var parameters = Parameters(network, 3);
        int n = 2, T = 7;
        var shard = Shard(network, LossKind.Mse, n, T, seed: 13);
        float scale = 1f / (n * engine.LossTermsPerSample(T));
        var analytic = GradientCheck.Gradient(engine, parameters, shard, scale, null, out _);

        var reference = new TruncatedRnnReference(network, shard.X, shard.Y, n, T, window, manyToMany);
        var theta = parameters.Select(v => (double)v).ToArray();
        var frozen = reference.WindowStates(theta);
        const double h = 1e-6;
        for (int j = 0; j < theta.Length; j++)
        {
            double saved = theta[j];
            theta[j] = saved + h;
            double plus = reference.Loss(theta, frozen);
            theta[j] = saved - h;
            double minus = reference.Loss(theta, frozen);
            theta[j] = saved;
            double numeric = (plus - minus) / (2 * h) * scale;
            Assert.True(System.Math.Abs(analytic[j] - numeric) <= 1e-5 + 1e-4 * System.Math.Abs(numeric),
                $"parameter {j}: engine {analytic[j]:G7}, reference {numeric:G7}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Windows_CarryLstmAndGruStates_SoTheLossEqualsTheFullSequenceLoss(int window)
    {
        var network = Build(2, Lstm(4, sequences: true), Dropout(0.3f), Gru(3, sequences: true), Dense(2));
        var parameters = Parameters(network, 5);
        var shard = Shard(network, LossKind.Mse, n: 3, timesteps: 7, seed: 17);
        var key = new Rnn.Math.Training.DropoutKey(2, 1);
        var full = new GradientEngine(network, LossKind.Mse, 0);
        var truncated = new GradientEngine(network, LossKind.Mse, window);
        GradientCheck.Gradient(full, parameters, shard, 1f, key, out double fullLoss);
        GradientCheck.Gradient(truncated, parameters, shard, 1f, key, out double truncatedLoss);
        // The activations are the same bits; only the double sum over windows is taken in another order.
        Assert.Equal(fullLoss, truncatedLoss, 1e-12 * fullLoss);
    }

    /// <summary>h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), y = W h + b, loss Σ (y - target)², in double.</summary>
    private sealed class TruncatedRnnReference(Network network, float[] x, float[] y, int n, int T, int window, bool manyToMany)
    {
        private readonly int _wih = network.Layout["layers.0.weight_ih_l0"].Offset, _whh = network.Layout["layers.0.weight_hh_l0"].Offset;
        private readonly int _bih = network.Layout["layers.0.bias_ih_l0"].Offset, _bhh = network.Layout["layers.0.bias_hh_l0"].Offset;
        private readonly int _w = network.Layout["layers.1.weight"].Offset, _b = network.Layout["layers.1.bias"].Offset;

        /// <summary>The state entering each window, per sample: [window][sample][unit].</summary>
        public double[][][] WindowStates(double[] theta)
        {
            var states = new List<double[][]>();
            var h = new double[n][];
            for (int s = 0; s < n; s++) h[s] = new double[Units];
            for (int t = 0; t < T; t++)
            {
                if (t % window == 0) states.Add(h.Select(row => (double[])row.Clone()).ToArray());
                for (int s = 0; s < n; s++) h[s] = Step(theta, h[s], s, t);
            }
            return states.ToArray();
        }

        public double Loss(double[] theta, double[][][] frozen)
        {
            double loss = 0;
            for (int s = 0; s < n; s++)
            {
                double[] h = [];
                for (int t = 0; t < T; t++)
                {
                    if (t % window == 0) h = frozen[t / window][s];
                    h = Step(theta, h, s, t);
                    if (manyToMany || t == T - 1)
                        loss += SquaredError(theta, h, manyToMany ? (s * T + t) * Outputs : s * Outputs);
                }
            }
            return loss;
        }

        private double[] Step(double[] theta, double[] h, int s, int t)
        {
            var next = new double[Units];
            for (int u = 0; u < Units; u++)
            {
                double a = theta[_bih + u] + theta[_bhh + u];
                for (int i = 0; i < Inputs; i++) a += theta[_wih + u * Inputs + i] * x[(s * T + t) * Inputs + i];
                for (int v = 0; v < Units; v++) a += theta[_whh + u * Units + v] * h[v];
                next[u] = System.Math.Tanh(a);
            }
            return next;
        }

        private double SquaredError(double[] theta, double[] h, int targetOffset)
        {
            double sum = 0;
            for (int o = 0; o < Outputs; o++)
            {
                double out_ = theta[_b + o];
                for (int v = 0; v < Units; v++) out_ += theta[_w + o * Units + v] * h[v];
                double diff = out_ - y[targetOffset + o];
                sum += diff * diff;
            }
            return sum;
        }
    }
}
