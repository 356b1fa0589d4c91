namespace Rnn.Math.Kernels;

/// <summary>The tanh rnn cell's element-wise math for one sample at one timestep. Shapes: every row (H).</summary>
internal static unsafe class TanhCell
{
    /// <summary>h = tanh(pre-activation).</summary>
    public struct Forward(float* preActivation, float* hidden) : IRowKernel
    {
        public readonly void Run<TV>(nint j, int count)
            where TV : struct, ILanes<TV>
            => TV.Store(Activations.Tanh(TV.Load(preActivation + j, count)), hidden + j, count);
    }

    /// <summary>dPre = dh · (1 - h²).</summary>
    public struct Backward(float* hidden, float* dHidden, float* dPreActivation) : IRowKernel
    {
        public readonly void Run<TV>(nint j, int count)
            where TV : struct, ILanes<TV>
            => TV.Store(TV.Multiply(TV.Load(dHidden + j, count), Activations.TanhSlope(TV.Load(hidden + j, count))), dPreActivation + j, count);
    }
}
