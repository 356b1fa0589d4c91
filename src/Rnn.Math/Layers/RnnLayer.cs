using Rnn.Math.Kernels;
using Rnn.Math.Model;

namespace Rnn.Math.Layers;

/// <summary>
/// The tanh rnn, as PyTorch nn.RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh).
/// Gates (n, T, H) hold the pre-activation, then h_t itself is in HSeq.
/// </summary>
internal sealed class RnnLayer(LayerSpec spec) : RecurrentLayer(spec)
{
    protected override void BeginForward(int n, int steps, bool carryState) { }

    protected override IEnumerable<double> CellBuffers(double n, double steps) => [];

    protected override unsafe void StepForward(ReadOnlySpan<float> parameters, int t, in Pass pass)
    {
        int n = pass.Samples, T = pass.Steps;
        // Gates[:, t] (n, H) += h_{t-1} (n, H) · W_hhᵀ (H, H)
        Gemm.Multiply(n, GH, H, HPrev.AsSpan(t * H), T * H, 1, WeightHhT, Gates.AsSpan(t * GH), T * GH, accumulate: true);
        fixed (float* gates = Gates, hidden = HSeq)
        {
            for (int s = 0; s < n; s++)
            {
                int row = s * T + t;
                var kernel = new TanhCell.Forward(gates + row * GH, hidden + row * H);
                Rows.Run(ref kernel, H);
            }
        }
    }

    protected override void EndForward(int n, int steps) { }

    protected override void BeginBackward(int n, int steps) { }

    protected override unsafe void StepBackward(ReadOnlySpan<float> parameters, int t, in Pass pass)
    {
        int n = pass.Samples, T = pass.Steps;
        fixed (float* hidden = HSeq, dHidden = DhNext, dGates = DGates)
        {
            for (int s = 0; s < n; s++)
            {
                int row = s * T + t;
                var kernel = new TanhCell.Backward(hidden + row * H, dHidden + s * H, dGates + row * GH);
                Rows.Run(ref kernel, H);
            }
        }
        // dh_{t-1} (n, H) = dGates[:, t] (n, H) · W_hh (H, H)
        Gemm.Multiply(n, H, GH, DGates.AsSpan(t * GH), T * GH, 1, WeightHhPacked, DhNext, H, accumulate: false);
    }
}
