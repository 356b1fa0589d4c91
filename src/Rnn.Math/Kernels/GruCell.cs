namespace Rnn.Math.Kernels;

/// <summary>
/// The GRU cell's element-wise math for one sample at one timestep, in one pass over its row (PyTorch gate
/// order r, z, n). Shapes: gates, hidden, biasHh, dGates and dGatesHidden (3H); every other row (H).
/// </summary>
internal static unsafe class GruCell
{
    /// <summary>
    /// Gates hold x_* = W_i* x + b_i* and are left as r, z, n; hidden holds W_h* h_{t-1} without its bias:
    /// r = σ(x_r + h_r + b_hr), z = σ(x_z + h_z + b_hz), h_n = W_hn h_{t-1} + b_hn (kept for the backward pass),
    /// n = tanh(x_n + r · h_n), h = n + z · (h_{t-1} - n).
    /// </summary>
    public struct Forward(float* gates, float* hidden, float* biasHh, float* hiddenBefore, float* hiddenN, float* output, int units) : IRowKernel
    {
        public readonly void Run<TV>(nint j, int count)
            where TV : struct, ILanes<TV>
        {
            float* rGate = gates + j, zGate = rGate + units, nGate = zGate + units;
            float* hr = hidden + j, hz = hr + units, hn = hz + units;
            float* br = biasHh + j, bz = br + units, bn = bz + units;
            var r = Activations.Sigmoid(TV.Add(TV.Load(rGate, count), TV.Add(TV.Load(hr, count), TV.Load(br, count))));
            var z = Activations.Sigmoid(TV.Add(TV.Load(zGate, count), TV.Add(TV.Load(hz, count), TV.Load(bz, count))));
            var hiddenNewGate = TV.Add(TV.Load(hn, count), TV.Load(bn, count));
            var n = Activations.Tanh(TV.MultiplyAdd(r, hiddenNewGate, TV.Load(nGate, count)));
            TV.Store(r, rGate, count);
            TV.Store(z, zGate, count);
            TV.Store(n, nGate, count);
            TV.Store(hiddenNewGate, hiddenN + j, count);
            TV.Store(TV.MultiplyAdd(z, TV.Subtract(TV.Load(hiddenBefore + j, count), n), n), output + j, count);
        }
    }

    /// <summary>
    /// From dh = dL/dh_t, writes the gradients of x_* (dGates) and of h_* (dGatesHidden), and leaves in dHidden
    /// the direct path's share of dL/dh_{t-1}, dh · z (the caller adds W_hh's):
    /// dn = dh · (1 - z) · tanh'; dz = dh · (h_{t-1} - n) · σ'; dr = dn · h_n · σ'; d h_n = dn · r.
    /// </summary>
    public struct Backward(float* gates, float* hiddenN, float* hiddenBefore, float* dHidden, float* dGates, float* dGatesHidden, int units) : IRowKernel
    {
        public readonly void Run<TV>(nint j, int count)
            where TV : struct, ILanes<TV>
        {
            float* rGate = gates + j, zGate = rGate + units, nGate = zGate + units;
            float* dr = dGates + j, dz = dr + units, dn = dz + units;
            float* dhr = dGatesHidden + j, dhz = dhr + units, dhn = dhz + units;
            var r = TV.Load(rGate, count);
            var z = TV.Load(zGate, count);
            var n = TV.Load(nGate, count);
            var dh = TV.Load(dHidden + j, count);
            var dNew = TV.Multiply(TV.Multiply(dh, TV.Subtract(TV.Of(1f), z)), Activations.TanhSlope(n));
            var dUpdate = TV.Multiply(TV.Multiply(dh, TV.Subtract(TV.Load(hiddenBefore + j, count), n)), Activations.SigmoidSlope(z));
            var dReset = TV.Multiply(TV.Multiply(dNew, TV.Load(hiddenN + j, count)), Activations.SigmoidSlope(r));
            TV.Store(dReset, dr, count);
            TV.Store(dUpdate, dz, count);
            TV.Store(dNew, dn, count);
            TV.Store(dReset, dhr, count);
            TV.Store(dUpdate, dhz, count);
            TV.Store(TV.Multiply(dNew, r), dhn, count);
            TV.Store(TV.Multiply(dh, z), dHidden + j, count);
        }
    }
}
