using Rnn.Math.Kernels;
using Rnn.Math.Model;

namespace Rnn.Math.Layers;

/// <summary>
/// PyTorch nn.LSTM. Gates (n, T, 4H) per row i, f, g, o:
///   i = σ(.), f = σ(.), g = tanh(.), o = σ(.);  c_t = f·c_{t-1} + i·g;  h_t = o·tanh(c_t).
/// </summary>
internal sealed class LstmLayer(LayerSpec spec) : RecurrentLayer(spec)
{
    private float[] _cell = [];      // (n, T, H): c_t
    private float[] _tanhCell = [];  // (n, T, H): tanh(c_t)
    private float[] _cell0 = [];     // (n, H): c before the window's first step
    private float[] _cellLast = [];  // (n, H): c after the window's last step, carried into the next window
    private float[] _dCell = [];     // (n, H): dL/dc_t during the sweep

    /// <summary>The backward cell loads a row's four activated gates before it stores their gradients in their place.</summary>
    protected override bool GradientsOverwriteGates => true;

    protected override IEnumerable<double> CellBuffers(double n, double steps) => [n * steps * H, n * steps * H, n * H, n * H, n * H, H];

    protected override void BeginForward(int n, int steps, bool carryState)
    {
        Scratch.Ensure(ref _cell, n * steps * H);
        Scratch.Ensure(ref _tanhCell, n * steps * H);
        Scratch.Ensure(ref _cell0, n * H);
        if (carryState) _cellLast.AsSpan(0, n * H).CopyTo(_cell0);
        else _cell0.AsSpan(0, n * H).Clear();
    }

    /// <summary>c_{t-1} of sample s: the carried state at the window's first step, else the previous step's cell.</summary>
    private unsafe float* CellBefore(float* cell, float* cell0, int s, int t, int T)
        => t == 0 ? cell0 + s * H : cell + (s * T + t - 1) * H;

    protected override unsafe void StepForward(ReadOnlySpan<float> parameters, int t, in Pass pass)
    {
        int n = pass.Samples, T = pass.Steps;
        // Gates[:, t] (n, 4H) += h_{t-1} (n, H) · W_hhᵀ (H, 4H)
        Gemm.Multiply(n, GH, H, HPrev.AsSpan(t * H), T * H, 1, WeightHhT, Gates.AsSpan(t * GH), T * GH, accumulate: true);
        fixed (float* gates = Gates, cell = _cell, tanhCell = _tanhCell, hidden = HSeq, cell0 = _cell0)
        {
            for (int s = 0; s < n; s++)
            {
                int row = s * T + t;
                var kernel = new LstmCell.Forward(gates + row * GH, CellBefore(cell, cell0, s, t, T), cell + row * H, tanhCell + row * H, hidden + row * H, H);
                Rows.Run(ref kernel, H);
            }
        }
    }

    protected override void HoldStep(int s, int t, int steps)
    {
        var before = t == 0 ? _cell0.AsSpan(s * H, H) : _cell.AsSpan((s * steps + t - 1) * H, H);
        before.CopyTo(_cell.AsSpan((s * steps + t) * H, H));
    }

    protected override Span<float> CarriedGradient(int s) => _dCell.AsSpan(s * H, H);

    protected override int CellStateWidth => H;

    protected override float[] CellState(int n) => Scratch.Ensure(ref _cellLast, n * H);

    protected override void EndForward(int n, int steps)
    {
        Scratch.Ensure(ref _cellLast, n * H);
        for (int s = 0; s < n; s++)
            _cell.AsSpan((s * steps + steps - 1) * H, H).CopyTo(_cellLast.AsSpan(s * H, H));
    }

    protected override void BeginBackward(int n, int steps)
        => Scratch.Ensure(ref _dCell, n * H).AsSpan(0, n * H).Clear();

    protected override unsafe void StepBackward(ReadOnlySpan<float> parameters, int t, in Pass pass)
    {
        int n = pass.Samples, T = pass.Steps;
        fixed (float* gates = Gates, cell = _cell, cell0 = _cell0, tanhCell = _tanhCell, dHidden = DhNext, dCell = _dCell, dGates = DGates)
        {
            for (int s = 0; s < n; s++)
            {
                int row = s * T + t;
                var kernel = new LstmCell.Backward(gates + row * GH, CellBefore(cell, cell0, s, t, T), tanhCell + row * H,
                    dHidden + s * H, dCell + s * H, dGates + row * GH, H);
                Rows.Run(ref kernel, H);
            }
        }
        // dh_{t-1} (n, H) = dGates[:, t] (n, 4H) · W_hh (4H, H)
        Gemm.Multiply(n, H, GH, DGates.AsSpan(t * GH), T * GH, 1, WeightHhPacked, DhNext, H, accumulate: false);
    }
}
