using Rnn.Math.Kernels;
using Rnn.Math.Model;

namespace Rnn.Math.Layers;

/// <summary>
/// PyTorch nn.GRU (Keras reset_after=True): with x_* = W_i* x + b_i* and h_* = W_h* h_{t-1} + b_h*,
///   r = σ(x_r + h_r), z = σ(x_z + h_z), n = tanh(x_n + r·h_n), h_t = (1 - z)·n + z·h_{t-1}.
/// Gates (n, T, 3H) hold x_* and then r, z, n; h_n is kept for the backward pass.
/// </summary>
internal sealed class GruLayer(LayerSpec spec) : RecurrentLayer(spec)
{
    private float[] _hidden = [];       // (n, 3H): W_h* h_{t-1} of the current step, before its bias
    private float[] _hiddenN = [];      // (n, T, H): h_n of every step
    private float[] _dGatesHidden = []; // (n, T, 3H): gradient of h_* (differs from that of x_* in its n part)

    protected override bool BiasHhInGates => false;

    protected override float[] DGatesHidden => _dGatesHidden;

    protected override IEnumerable<double> CellBuffers(double n, double steps) => [n * GH, n * steps * H, n * steps * GH, H];

    protected override void BeginForward(int n, int steps, bool carryState)
    {
        Scratch.Ensure(ref _hidden, n * GH);
        Scratch.Ensure(ref _hiddenN, n * steps * H);
    }

    protected override unsafe void StepForward(ReadOnlySpan<float> parameters, int t, in Pass pass)
    {
        int n = pass.Samples, T = pass.Steps;
        // h_* (n, 3H) = h_{t-1} (n, H) · W_hhᵀ (H, 3H), kept apart because r multiplies its n part
        Gemm.Multiply(n, GH, H, HPrev.AsSpan(t * H), T * H, 1, WeightHhT, _hidden, GH, accumulate: false);
        fixed (float* gates = Gates, hidden = _hidden, biasHh = BiasHh(parameters), hiddenBefore = HPrev, hiddenN = _hiddenN, output = HSeq)
        {
            for (int s = 0; s < n; s++)
            {
                int row = s * T + t;
                var kernel = new GruCell.Forward(gates + row * GH, hidden + s * GH, biasHh, hiddenBefore + row * H, hiddenN + row * H, output + row * H, H);
                Rows.Run(ref kernel, H);
            }
        }
    }

    protected override void EndForward(int n, int steps) { }

    protected override void BeginBackward(int n, int steps)
        => Scratch.Ensure(ref _dGatesHidden, n * steps * GH);

    protected override unsafe void StepBackward(ReadOnlySpan<float> parameters, int t, in Pass pass)
    {
        int n = pass.Samples, T = pass.Steps;
        fixed (float* gates = Gates, hiddenN = _hiddenN, hiddenBefore = HPrev, dHidden = DhNext, dGates = DGates, dGatesHidden = _dGatesHidden)
        {
            for (int s = 0; s < n; s++)
            {
                int row = s * T + t;
                var kernel = new GruCell.Backward(gates + row * GH, hiddenN + row * H, hiddenBefore + row * H, dHidden + s * H,
                    dGates + row * GH, dGatesHidden + row * GH, H);
                Rows.Run(ref kernel, H);
            }
        }
        // dh_{t-1} (n, H) += dHidden[:, t] (n, 3H) · W_hh (3H, H)
        Gemm.Multiply(n, H, GH, _dGatesHidden.AsSpan(t * GH), T * GH, 1, WeightHhPacked, DhNext, H, accumulate: true);
    }
}
