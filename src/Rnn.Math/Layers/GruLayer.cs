using System.Numerics.Tensors;
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
    private float[] _hidden = [];       // (n, 3H): h_* of the current step
    private float[] _hiddenN = [];      // (n, T, H): h_n of every step
    private float[] _dGatesHidden = []; // (n, T, 3H): gradient of h_* (differs from that of x_* in its n part)
    private float[] _row = [];          // (H): one row of temporaries

    protected override bool BiasHhInGates => false;

    protected override float[] DGatesHidden => _dGatesHidden;

    protected override IEnumerable<double> CellBuffers(double n, double steps) => [n * GH, n * steps * H, n * steps * GH, H];

    protected override void BeginForward(int n, int steps, bool carryState)
    {
        Scratch.Ensure(ref _hidden, n * GH);
        Scratch.Ensure(ref _hiddenN, n * steps * H);
    }

    protected override void StepForward(ReadOnlySpan<float> parameters, int t, in Pass pass)
    {
        int n = pass.Samples, T = pass.Steps;
        var biasHh = BiasHh(parameters);
        // h_* (n, 3H) = h_{t-1} (n, H) · W_hhᵀ (H, 3H), kept apart because r multiplies its n part
        Gemm.Multiply(n, GH, H, HPrev.AsSpan(t * H), T * H, 1, WeightHhT, GH, _hidden, GH, accumulate: false);
        for (int s = 0; s < n; s++)
        {
            int row = s * T + t;
            var hidden = _hidden.AsSpan(s * GH, GH);
            TensorPrimitives.Add(hidden, biasHh, hidden);
            var gates = Gates.AsSpan(row * GH, GH);
            var rz = gates[..(2 * H)];
            TensorPrimitives.Add(rz, hidden[..(2 * H)], rz);
            TensorPrimitives.Sigmoid(rz, rz);
            var r = gates[..H];
            var z = gates.Slice(H, H);
            var nGate = gates.Slice(2 * H, H);

            var hn = _hiddenN.AsSpan(row * H, H);
            hidden.Slice(2 * H, H).CopyTo(hn);
            TensorPrimitives.MultiplyAdd(r, hn, nGate, nGate);
            TensorPrimitives.Tanh(nGate, nGate);

            // h = n + z·(h_{t-1} - n), the same as (1 - z)·n + z·h_{t-1}
            var h = HSeq.AsSpan(row * H, H);
            TensorPrimitives.Subtract(HPrev.AsSpan(row * H, H), nGate, h);
            TensorPrimitives.MultiplyAdd(z, h, nGate, h);
        }
    }

    protected override void EndForward(int n, int steps) { }

    protected override void BeginBackward(int n, int steps)
    {
        Scratch.Ensure(ref _dGatesHidden, n * steps * GH);
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
            var r = gates[..H];
            var z = gates.Slice(H, H);
            var nGate = gates.Slice(2 * H, H);
            var dx = DGates.AsSpan(row * GH, GH);
            var dr = dx[..H];
            var dz = dx.Slice(H, H);
            var dn = dx.Slice(2 * H, H);
            var dHidden = _dGatesHidden.AsSpan(row * GH, GH);
            var dh = DhNext.AsSpan(s * H, H);
            var hPrev = HPrev.AsSpan(row * H, H);

            // n: dn = dh·(1 - z), through tanh
            TensorPrimitives.Subtract(1f, z, tmp);
            TensorPrimitives.Multiply(tmp, dh, tmp);
            Elementwise.TanhBackward(nGate, tmp, dn);
            // z: dz = dh·(h_{t-1} - n)
            TensorPrimitives.Subtract(hPrev, nGate, tmp);
            TensorPrimitives.Multiply(tmp, dh, tmp);
            Elementwise.SigmoidBackward(z, tmp, dz);
            // r: dr = dn·h_n
            TensorPrimitives.Multiply(dn, _hiddenN.AsSpan(row * H, H), tmp);
            Elementwise.SigmoidBackward(r, tmp, dr);

            // h_r and h_z share the x side's gradient; h_n's is scaled by r.
            dx[..(2 * H)].CopyTo(dHidden);
            TensorPrimitives.Multiply(dn, r, dHidden.Slice(2 * H, H));
            // the direct path h_t = ... + z·h_{t-1}
            TensorPrimitives.Multiply(dh, z, dh);
        }
        // dh_{t-1} (n, H) += dHidden[:, t] (n, 3H) · W_hh (3H, H)
        Gemm.Multiply(n, H, GH, _dGatesHidden.AsSpan(t * GH), T * GH, 1, WeightHh(parameters), H, DhNext, H, accumulate: true);
    }
}
