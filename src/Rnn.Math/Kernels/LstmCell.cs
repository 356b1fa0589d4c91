namespace Rnn.Math.Kernels;

/// <summary>
/// The LSTM cell's element-wise math for one sample at one timestep, in one pass over its row (PyTorch gate
/// order i, f, g, o). Shapes: gates (4H), every other row (H).
/// </summary>
internal static unsafe class LstmCell
{
    /// <summary>
    /// Gates hold the pre-activations and are left activated: i = σ, f = σ, g = tanh, o = σ;
    /// c = f · c_{t-1} + i · g, h = o · tanh(c).
    /// </summary>
    public struct Forward(float* gates, float* cellBefore, float* cell, float* tanhCell, float* hidden, int units) : IRowKernel
    {
        public readonly void Run<TV>(nint j, int count)
            where TV : struct, ILanes<TV>
        {
            float* iGate = gates + j, fGate = iGate + units, gGate = fGate + units, oGate = gGate + units;
            var i = Activations.Sigmoid(TV.Load(iGate, count));
            var f = Activations.Sigmoid(TV.Load(fGate, count));
            var g = Activations.Tanh(TV.Load(gGate, count));
            var o = Activations.Sigmoid(TV.Load(oGate, count));
            TV.Store(i, iGate, count);
            TV.Store(f, fGate, count);
            TV.Store(g, gGate, count);
            TV.Store(o, oGate, count);
            var c = TV.MultiplyAdd(i, g, TV.Multiply(f, TV.Load(cellBefore + j, count)));
            var tanhC = Activations.Tanh(c);
            TV.Store(c, cell + j, count);
            TV.Store(tanhC, tanhCell + j, count);
            TV.Store(TV.Multiply(o, tanhC), hidden + j, count);
        }
    }

    /// <summary>
    /// From dh = dL/dh_t and the carried dc = dL/dc_t (without h_t's share), writes the pre-activation
    /// gradients dGates (4H) and leaves dL/dc_{t-1} in dCell:
    /// do = dh · tanh(c) · σ'; dc += dh · o · tanh'(c); di = dc · g · σ'; dg = dc · i · tanh'; df = dc · c_{t-1} · σ';
    /// dc_{t-1} = dc · f.
    /// </summary>
    public struct Backward(float* gates, float* cellBefore, float* tanhCell, float* dHidden, float* dCell, float* dGates, int units) : IRowKernel
    {
        public readonly void Run<TV>(nint j, int count)
            where TV : struct, ILanes<TV>
        {
            float* iGate = gates + j, fGate = iGate + units, gGate = fGate + units, oGate = gGate + units;
            float* di = dGates + j, df = di + units, dg = df + units, dO = dg + units;
            var i = TV.Load(iGate, count);
            var f = TV.Load(fGate, count);
            var g = TV.Load(gGate, count);
            var o = TV.Load(oGate, count);
            var dh = TV.Load(dHidden + j, count);
            var tanhC = TV.Load(tanhCell + j, count);
            TV.Store(TV.Multiply(TV.Multiply(dh, tanhC), Activations.SigmoidSlope(o)), dO, count);
            var dc = TV.MultiplyAdd(TV.Multiply(dh, o), Activations.TanhSlope(tanhC), TV.Load(dCell + j, count));
            TV.Store(TV.Multiply(TV.Multiply(dc, g), Activations.SigmoidSlope(i)), di, count);
            TV.Store(TV.Multiply(TV.Multiply(dc, i), Activations.TanhSlope(g)), dg, count);
            TV.Store(TV.Multiply(TV.Multiply(dc, TV.Load(cellBefore + j, count)), Activations.SigmoidSlope(f)), df, count);
            TV.Store(TV.Multiply(dc, f), dCell + j, count);
        }
    }
}
