using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace RnnCluster.Worker.Serialization;

/// <summary>Little-endian writer into a growing byte array; float and int arrays go as raw bytes, one copy.</summary>
internal sealed class WireWriter(int capacity)
{
    private byte[] _buffer = new byte[System.Math.Max(capacity, 16)];
    private int _length;

    public void Byte(byte value) => Reserve(1)[0] = value;

    public void Bool(bool value) => Byte(value ? (byte)1 : (byte)0);

    public void Int(int value) => BinaryPrimitives.WriteInt32LittleEndian(Reserve(4), value);

    public void Long(long value) => BinaryPrimitives.WriteInt64LittleEndian(Reserve(8), value);

    public void Float(float value) => BinaryPrimitives.WriteSingleLittleEndian(Reserve(4), value);

    public void Double(double value) => BinaryPrimitives.WriteDoubleLittleEndian(Reserve(8), value);

    public void Guid(Guid value) => value.TryWriteBytes(Reserve(16));

    public void String(string value)
    {
        Int(System.Text.Encoding.UTF8.GetByteCount(value));
        System.Text.Encoding.UTF8.GetBytes(value, Reserve(System.Text.Encoding.UTF8.GetByteCount(value)));
    }

    public void Floats(ReadOnlySpan<float> values)
    {
        Int(values.Length);
        MemoryMarshal.AsBytes(values).CopyTo(Reserve(values.Length * sizeof(float)));
    }

    public void Ints(ReadOnlySpan<int> values)
    {
        Int(values.Length);
        MemoryMarshal.AsBytes(values).CopyTo(Reserve(values.Length * sizeof(int)));
    }

    public byte[] ToArray() => _length == _buffer.Length ? _buffer : _buffer.AsSpan(0, _length).ToArray();

    private Span<byte> Reserve(int count)
    {
        if (_length + count > _buffer.Length)
            Array.Resize(ref _buffer, System.Math.Max(_buffer.Length * 2, _length + count));
        var span = _buffer.AsSpan(_length, count);
        _length += count;
        return span;
    }
}
