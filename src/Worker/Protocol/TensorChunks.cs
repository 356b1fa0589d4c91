namespace RnnCluster.Worker.Protocol;

/// <summary>
/// How tensors are cut for the wire. 64 KB slices: measured on Akka.Remote 1.5.74 over loopback (12.6 MB one way),
/// 64 KB chunks took about 63 ms where 256 KB or 1 MB chunks took about 150 ms and one whole message 240 ms,
/// because anything over 85 KB lands on .NET's large-object heap on both ends.
/// </summary>
public static class TensorChunks
{
    public const int ChunkFloats = 16 * 1024;

    /// <summary>The slices of <paramref name="tensor"/> as (offset, copy of the values), in order.</summary>
    public static IEnumerable<(int Offset, float[] Values)> Split(float[] tensor)
    {
        for (int offset = 0; offset < tensor.Length; offset += ChunkFloats)
            yield return (offset, tensor.AsSpan(offset, System.Math.Min(ChunkFloats, tensor.Length - offset)).ToArray());
    }
}
