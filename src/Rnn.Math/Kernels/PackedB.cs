namespace Rnn.Math.Kernels;

/// <summary>
/// A B operand of <see cref="Gemm.Multiply(int, int, int, ReadOnlySpan{float}, int, int, PackedB, Span{float}, int, bool)"/>
/// packed once into the column panels the fastest path's kernel reads, for a B that many products share: a
/// recurrent layer's weight, used at every timestep of a pass. A product reads B the same way whether it packs B
/// itself or takes it packed, so the bits are the same; packing once spares every later product the copy, or the
/// strided reads of a B read in place (a small M, such as a shard's rows at one timestep, does not repay packing
/// per product). One instance is reused: <see cref="Pack"/> grows its buffer only when B grows.
/// </summary>
public sealed class PackedB
{
    private float[] _values = [];
    private int _offset;

    /// <summary>B's rows: the products' K.</summary>
    public int K { get; private set; }

    /// <summary>B's columns: the products' N.</summary>
    public int N { get; private set; }

    internal GemmPath Path { get; private set; }

    /// <summary>Packs B (k, n), row p at b[p * ldb ..], for the path <see cref="Gemm.Multiply(int, int, int, ReadOnlySpan{float}, int, int, ReadOnlySpan{float}, int, Span{float}, int, bool)"/> runs.</summary>
    public void Pack(ReadOnlySpan<float> b, int k, int n, int ldb) => Pack(Gemm.FastestPath, b, k, n, ldb);

    internal unsafe void Pack(GemmPath path, ReadOnlySpan<float> b, int k, int n, int ldb)
    {
        if (k < 0 || n < 0 || ldb < n) throw new ArgumentOutOfRangeException(nameof(ldb), $"B ({k}, {n}) with ldb {ldb}");
        if (k > 0 && n > 0 && (long)(k - 1) * ldb + n > b.Length)
            throw new ArgumentException($"B holds {b.Length} floats, too few for ({k}, {n}) with ldb {ldb}.", nameof(b));
        (K, N, Path) = (k, n, path);
        long length = Gemm.PackedLength(path, k, n) + 16;
        if (length > Array.MaxLength) throw new ArgumentException($"B ({k}, {n}) is too large to pack", nameof(b));
        // Pinned, so the panels keep the 64-byte alignment found for them here.
        if (_values.Length < length) _values = GC.AllocateUninitializedArray<float>((int)length, pinned: true);
        fixed (float* values = _values, source = b)
        {
            float* aligned = (float*)(((nint)values + 63) & ~(nint)63);
            _offset = (int)(aligned - values);
            Gemm.PackAll(path, k, n, source, ldb, aligned);
        }
    }

    /// <summary>The packed values, from their aligned start.</summary>
    internal Span<float> Values => _values.AsSpan(_offset);
}
