namespace Rnn.Math.Layers;

/// <summary>Buffers that live across calls and only grow, so a steady training loop allocates nothing.</summary>
internal static class Scratch
{
    public static float[] Ensure(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer;
    }
}
