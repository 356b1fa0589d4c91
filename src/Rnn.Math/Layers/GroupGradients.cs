using System.Numerics.Tensors;
using Rnn.Math.Kernels;
using Rnn.Math.Model;

namespace Rnn.Math.Layers;

/// <summary>
/// Parameter gradients summed per group of samples, each over the group's rows (sample, timestep) in
/// ascending order: the same bits whichever shard, and whichever offset in it, the group was computed at.
/// </summary>
internal static class GroupGradients
{
    /// <summary>
    /// dW (Z, X) = Σ_rows dZ[row]ᵀ x[row] per group, with dZ (n·R, Z) and x (n·R, X), R rows per sample:
    /// one product per group whose K runs over its rows.
    /// </summary>
    public static void Weight(float[] dZ, int zWidth, float[] x, int xWidth, int rowsPerSample, in Pass pass, GradientTarget target, TensorSlot slot)
    {
        for (int g = 0; g < pass.GroupCount; g++)
        {
            int firstRow = pass.GroupStart(g) * rowsPerSample;
            int rows = pass.GroupEnd(g) * rowsPerSample - firstRow;
            Gemm.Multiply(zWidth, xWidth, rows,
                dZ.AsSpan(firstRow * zWidth), 1, zWidth,
                x.AsSpan(firstRow * xWidth), xWidth,
                slot.Of(target.Groups[g].AsSpan()), xWidth, target.Accumulate);
        }
    }

    /// <summary>db (Z) = Σ_rows dZ[row] per group, rows added one after another.</summary>
    public static void Bias(float[] dZ, int zWidth, int rowsPerSample, in Pass pass, GradientTarget target, TensorSlot slot)
    {
        for (int g = 0; g < pass.GroupCount; g++)
        {
            var sum = slot.Of(target.Groups[g].AsSpan());
            if (!target.Accumulate) sum.Clear();
            for (int row = pass.GroupStart(g) * rowsPerSample; row < pass.GroupEnd(g) * rowsPerSample; row++)
                TensorPrimitives.Add(sum, dZ.AsSpan(row * zWidth, zWidth), sum);
        }
    }

    /// <summary>
    /// db_hh = db_ih where both biases enter the same pre-activation (rnn, lstm): the two sums would start from
    /// the same values and add the same rows in the same order, window after window, so one is taken and copied.
    /// </summary>
    public static void CopyBias(TensorSlot from, in Pass pass, GradientTarget target, TensorSlot to)
    {
        for (int g = 0; g < pass.GroupCount; g++)
        {
            var gradient = target.Groups[g].AsSpan();
            from.Of(gradient).CopyTo(to.Of(gradient));
        }
    }
}
