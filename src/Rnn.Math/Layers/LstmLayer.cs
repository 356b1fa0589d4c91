using System.Numerics.Tensors;
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
    private float[] _row = [];       // (H): one row of temporaries

    protected override IEnumerable<double> CellBuffers(double n, double steps) => [n * steps * H, n * steps * H, n * H, n * H, n * H, H];

    protected override void BeginForward(int n, int steps, bool carryState)
    {
        Scratch.Ensure(ref _cell, n * steps * H);
        Scratch.Ensure(ref _tanhCell, n * steps * H);
        Scratch.Ensure(ref _cell0, n * H);
        if (carryState) _cellLast.AsSpan(0, n * H).CopyTo(_cell0);
        else _cell0.AsSpan(0, n * H).Clear();
    }

    private ReadOnlySpan<float> CellBefore(int s, int t, int T)
        => t == 0 ? _cell0.AsSpan(s * H, H) : _cell.AsSpan((s * T + t - 1) * H, H);

    protected override void StepForward(ReadOnlySpan<float> parameters, int t, in Pass pass)
    {
        int n = pass.Samples, T = pass.Steps;
        // Gates[:, t] (n, 4H) += h_{t-1} (n, H) · W_hhᵀ (H, 4H)
        Gemm.Multiply(n, GH, H, HPrev.AsSpan(t * H), T * H, 1, WeightHhT, GH, Gates.AsSpan(t * GH), T * GH, accumulate: true);
        for (int s = 0; s < n; s++)
        {
            int row = s * T + t;
            var gates = Gates.AsSpan(row * GH, GH);
            TensorPrimitives.Sigmoid(gates[..(2 * H)], gates[..(2 * H)]);
            TensorPrimitives.Tanh(gates.Slice(2 * H, H), gates.Slice(2 * H, H));
            TensorPrimitives.Sigmoid(gates.Slice(3 * H, H), gates.Slice(3 * H, H));
            var i = gates[..H];
            var f = gates.Slice(H, H);
            var g = gates.Slice(2 * H, H);
            var o = gates.Slice(3 * H, H);

            var c = _cell.AsSpan(row * H, H);
            var tanhC = _tanhCell.AsSpan(row * H, H);
            TensorPrimitives.Multiply(f, CellBefore(s, t, T), c);
            TensorPrimitives.MultiplyAdd(i, g, c, c);
            TensorPrimitives.Tanh(c, tanhC);
            TensorPrimitives.Multiply(o, tanhC, HSeq.AsSpan(row * H, H));
        }
    }

    protected override void EndForward(int n, int steps)
    {
        Scratch.Ensure(ref _cellLast, n * H);
        for (int s = 0; s < n; s++)
            _cell.AsSpan((s * steps + steps - 1) * H, H).CopyTo(_cellLast.AsSpan(s * H, H));
    }

    protected override void BeginBackward(int n, int steps)
    {
        Scratch.Ensure(ref _dCell, n * H).AsSpan(0, n * H).Clear();
        Scratch.Ensure(ref _row, H);
    }

    protected override void StepBackward(ReadOnlySpan<float> parameters, int t, in Pass pass)
    {
        int n = pass.Samples, T = pass.Steps;
        var tmp = _row.AsSpan(0, H);
        for (int s = 0; s < n; s++)
        {
            int row = s * T + t;
            var gates = Gates.AsSpan(row * GH, GH);
            var i = gates[..H];
            var f = gates.Slice(H, H);
            var g = gates.Slice(2 * H, H);
            var o = gates.Slice(3 * H, H);
            var dGates = DGates.AsSpan(row * GH, GH);
            var di = dGates[..H];
            var df = dGates.Slice(H, H);
            var dg = dGates.Slice(2 * H, H);
            var dO = dGates.Slice(3 * H, H);
            var dh = DhNext.AsSpan(s * H, H);
            var dc = _dCell.AsSpan(s * H, H);
            var tanhC = _tanhCell.AsSpan(row * H, H);

            // h = o·tanh(c): do = dh·tanh(c); dc += dh·o·(1 - tanh²(c))
            TensorPrimitives.Multiply(dh, tanhC, tmp);
            Elementwise.SigmoidBackward(o, tmp, dO);
            Elementwise.TanhBackward(tanhC, dh, tmp);
            TensorPrimitives.MultiplyAdd(tmp, o, dc, dc);
            // c = f·c_{t-1} + i·g
            TensorPrimitives.Multiply(dc, g, tmp);
            Elementwise.SigmoidBackward(i, tmp, di);
            TensorPrimitives.Multiply(dc, i, tmp);
            Elementwise.TanhBackward(g, tmp, dg);
            TensorPrimitives.Multiply(dc, CellBefore(s, t, T), tmp);
            Elementwise.SigmoidBackward(f, tmp, df);
            TensorPrimitives.Multiply(dc, f, dc);
        }
        // dh_{t-1} (n, H) = dGates[:, t] (n, 4H) · W_hh (4H, H)
        Gemm.Multiply(n, H, GH, DGates.AsSpan(t * GH), T * GH, 1, WeightHh(parameters), H, DhNext, H, accumulate: false);
    }
}
