using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace RnnCluster.Worker.Serialization;

/// <summary>The reading side of <see cref="WireWriter"/>.</summary>
internal sealed class WireReader(byte[] buffer)
{
    private int _position;

    /// <summary>Bytes not read yet: a whole message leaves none.</summary>
    public int Remaining => buffer.Length - _position;

    public byte Byte() => Take(1)[0];

    public bool Bool() => Byte() != 0;

    public int Int() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long Long() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public float Float() => BinaryPrimitives.ReadSingleLittleEndian(Take(4));

    public double Double() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public Guid Guid() => new(Take(16));

    public string String() => System.Text.Encoding.UTF8.GetString(Take(Int()));

    public float[] Floats()
    {
        var values = new float[Count(sizeof(float))];
        Take(values.Length * sizeof(float)).CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    public int[] Ints()
    {
        var values = new int[Count(sizeof(int))];
        Take(values.Length * sizeof(int)).CopyTo(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    /// <summary>
    /// The length of an array of items of <paramref name="size"/> bytes each, checked against the bytes left
    /// before anything is allocated: a damaged length must not make a reader allocate gigabytes.
    /// </summary>
    public int Count(int size)
    {
        int count = Int();
        if (count < 0 || count > Remaining / size)
            throw new InvalidDataException($"an array of {count} items of {size} bytes, but {Remaining} bytes are left");
        return count;
    }

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count < 0 || count > buffer.Length - _position)
            throw new InvalidDataException($"message truncated: {count} bytes wanted at {_position} of {buffer.Length}");
        var span = buffer.AsSpan(_position, count);
        _position += count;
        return span;
    }
}
