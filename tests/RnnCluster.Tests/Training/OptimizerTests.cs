using Rnn.Math.Config;
using Rnn.Math.Training;

namespace RnnCluster.Tests.Training;

using Optimizer = Rnn.Math.Training.Optimizer;

public class OptimizerTests
{
    [Fact]
    public void Adam_first_step_moves_each_parameter_by_the_learning_rate_against_the_gradient_sign()
    {
        // Step 1: m̂ = g and v̂ = g², so the update is lr·g / (|g| + ε).
        var adam = new AdamOptimizer(new OptimizerConfig(LearningRate: 0.01f));
        float[] g = [0.5f, -4f, 1e-3f];
        var (p, _) = adam.Step([1f, 2f, 3f], adam.Initial(3), g);
        for (int i = 0; i < 3; i++)
            Assert.Equal(new[] { 1f, 2f, 3f }[i] - 0.01 * g[i] / (System.Math.Abs(g[i]) + 1e-7), p[i], 6);
    }

    [Fact]
    public void Adam_matches_the_algorithm_computed_in_double_over_several_steps()
    {
        var config = new OptimizerConfig(LearningRate: 0.05f, Beta1: 0.8f, Beta2: 0.99f, Epsilon: 1e-3f);
        var adam = new AdamOptimizer(config);
        float[] p = [0.7f];
        var state = adam.Initial(1);
        double pd = 0.7, m = 0, v = 0;
        double[] gradients = [0.3, -0.1, 0.25, 0.05];
        for (int t = 1; t <= gradients.Length; t++)
        {
            double g = gradients[t - 1];
            (p, state) = adam.Step(p, state, [(float)g]);
            m = 0.8 * m + 0.2 * g;
            v = 0.99 * v + 0.01 * g * g;
            pd -= 0.05 / (1 - System.Math.Pow(0.8, t)) * m / (System.Math.Sqrt(v) / System.Math.Sqrt(1 - System.Math.Pow(0.99, t)) + 1e-3);
            Assert.Equal(pd, p[0], 5);
        }
    }

    [Fact]
    public void Adam_gives_each_element_the_bits_it_gets_alone_wherever_it_sits_in_the_vectors()
    {
        // 67 elements: whole vectors of every width and a scalar tail; one element alone runs the scalar loop only.
        var adam = new AdamOptimizer(new OptimizerConfig(LearningRate: 0.003f));
        var random = new Random(5);
        float[] Draw(float scale) => [.. Enumerable.Range(0, 67).Select(_ => (float)((random.NextDouble() - 0.5) * scale))];
        float[] p = Draw(2), g1 = Draw(1), g2 = Draw(1e-3f);
        var (p1, s1) = adam.Step(p, adam.Initial(p.Length), g1);
        var (p2, s2) = adam.Step(p1, s1, g2);
        for (int i = 0; i < p.Length; i++)
        {
            var (q1, t1) = adam.Step([p[i]], adam.Initial(1), [g1[i]]);
            var (q2, t2) = adam.Step(q1, t1, [g2[i]]);
            Assert.Equal(BitConverter.SingleToInt32Bits(q2[0]), BitConverter.SingleToInt32Bits(p2[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(t2.First[0]), BitConverter.SingleToInt32Bits(s2.First[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(t2.Second[0]), BitConverter.SingleToInt32Bits(s2.Second[i]));
        }
    }

    [Fact]
    public void RmsProp_divides_by_the_root_of_its_running_mean_square()
    {
        var rmsprop = new RmsPropOptimizer(new OptimizerConfig(OptimizerKind.RmsProp, LearningRate: 0.1f, Rho: 0.5f, Epsilon: 1e-3f));
        float[] p = [1f];
        var state = rmsprop.Initial(1);
        double pd = 1, s = 0;
        foreach (double g in new[] { 0.4, -0.2, 0.1 })
        {
            (p, state) = rmsprop.Step(p, state, [(float)g]);
            s = 0.5 * s + 0.5 * g * g;
            pd -= 0.1 * g / (System.Math.Sqrt(s) + 1e-3);
            Assert.Equal(pd, p[0], 5);
        }
    }

    [Fact]
    public void Nesterov_steps_along_the_gradient_plus_momentum_times_the_new_buffer()
    {
        var sgd = new SgdOptimizer(new OptimizerConfig(OptimizerKind.Sgd, LearningRate: 0.1f, Momentum: 0.5f, Nesterov: true));
        var (p1, s1) = sgd.Step([1f], sgd.Initial(1), [0.2f]);
        var (p2, _) = sgd.Step(p1, s1, [0.4f]);
        // b1 = 0.2, step 0.2 + 0.5·0.2 = 0.3; b2 = 0.5·0.2 + 0.4 = 0.5, step 0.4 + 0.5·0.5 = 0.65.
        Assert.Equal(1 - 0.1 * 0.3, p1[0], 6);
        Assert.Equal(1 - 0.1 * 0.3 - 0.1 * 0.65, p2[0], 6);
    }

    [Fact]
    public void AdamW_decays_the_weights_apart_from_the_gradient_and_adam_adds_them_to_it()
    {
        // A zero gradient: AdamW still shrinks p by lr·λ; Adam's L2 makes the gradient λ·p, its first step lr·sign.
        var adamw = new AdamOptimizer(new OptimizerConfig(OptimizerKind.AdamW, LearningRate: 0.1f, WeightDecay: 0.5f));
        var adam = new AdamOptimizer(new OptimizerConfig(OptimizerKind.Adam, LearningRate: 0.1f, WeightDecay: 0.5f));

        Assert.Equal(2f * (1 - 0.1f * 0.5f), adamw.Step([2f], adamw.Initial(1), [0f]).Parameters[0], 6);
        Assert.Equal(2 - 0.1 * 1.0 / (1 + 1e-7), adam.Step([2f], adam.Initial(1), [0f]).Parameters[0], 6);
    }

    [Fact]
    public void A_step_leaves_the_parameters_and_state_it_started_from_unchanged()
    {
        var adam = Optimizer.Create(new OptimizerConfig());
        var (p, state) = adam.Step([1f, -1f], adam.Initial(2), [0.2f, 0.1f]);
        float[] pBefore = (float[])p.Clone(), mBefore = (float[])state.First.Clone(), vBefore = (float[])state.Second.Clone();
        var (next, nextState) = adam.Step(p, state, [0.3f, -0.7f]);
        Assert.Equal(pBefore, p);
        Assert.Equal(mBefore, state.First);
        Assert.Equal(vBefore, state.Second);
        Assert.Equal(1, state.Steps);
        Assert.NotEqual(p, next);
        Assert.Equal(2, nextState.Steps);
    }

    [Fact]
    public void A_state_taken_apart_and_rebuilt_continues_with_identical_bits()
    {
        var adam = Optimizer.Create(new OptimizerConfig());
        var (p, state) = adam.Step([1f, -1f], adam.Initial(2), [0.2f, 0.1f]);
        var copy = new OptimizerState(state.Steps, [.. state.First], [.. state.Second]);
        Assert.Equal(adam.Step(p, state, [0.3f, -0.7f]).Parameters, adam.Step([.. p], copy, [0.3f, -0.7f]).Parameters);
    }

    [Fact]
    public void Sgd_with_momentum_accumulates_the_velocity()
    {
        var sgd = new SgdOptimizer(new OptimizerConfig(OptimizerKind.Sgd, LearningRate: 0.1f, Momentum: 0.9f));
        var (p, state) = sgd.Step([1f], sgd.Initial(1), [1f]);   // b = 1, p = 0.9
        (p, _) = sgd.Step(p, state, [1f]);                       // b = 1.9, p = 0.71
        Assert.Equal(0.71f, p[0], 5);
    }

    [Fact]
    public void Clipping_scales_the_gradient_to_the_limit_and_reports_the_norm()
    {
        float[] g = [3f, 4f];
        double norm = GradientClipping.ClipGlobalNorm(g, 1f);
        Assert.Equal(5.0, norm, 6);
        Assert.Equal(0.6f, g[0], 5);
        Assert.Equal(0.8f, g[1], 5);
    }

    [Fact]
    public void Clipping_leaves_a_small_gradient_alone()
    {
        float[] g = [0.3f, 0.4f];
        GradientClipping.ClipGlobalNorm(g, 1f);
        Assert.Equal([0.3f, 0.4f], g);
    }
}
