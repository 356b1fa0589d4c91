using System.Buffers.Binary;

namespace RnnCluster.Shared.DataPlane;

/// <summary>What a frame of the data plane carries.</summary>
public enum FrameKind : byte
{
    /// <summary>A segment of one dataset array (<see cref="Frame.Part"/>), sent once per worker at job start.</summary>
    Data = 1,

    /// <summary>A segment of the weights of version <see cref="Frame.Tag"/>, sent to every worker each step.</summary>
    Weights = 2,

    /// <summary>A segment of the partial gradient sum of tree node (<see cref="Frame.Level"/>, <see cref="Frame.Index"/>) in round <see cref="Frame.Tag"/>.</summary>
    Partial = 3,

    /// <summary>
    /// A segment of one part (<see cref="Frame.Part"/>: x, y or lengths of the training or validation set) of the samples
    /// a worker fetched with ticket <see cref="Frame.Tag"/>, packed in the order it asked for them.
    /// </summary>
    Samples = 4,
}

/// <summary>
/// The fixed 32-byte header before every tensor segment on the data plane; the payload that follows is
/// <see cref="Count"/> float32 values, little-endian, placed at <see cref="Offset"/> of the tensor the header names.
/// Layout: kind (1), part (1), reserved (2), tag (8: weights version or round id), level (4), index (4),
/// offset (8, in floats), count (4).
/// </summary>
public readonly record struct Frame(FrameKind Kind, byte Part, long Tag, int Level, int Index, long Offset, int Count)
{
    public const int Size = 32;

    public static Frame Data(byte part, long offset, int count) => new(FrameKind.Data, part, 0, 0, 0, offset, count);

    public static Frame Weights(long version, long offset, int count) => new(FrameKind.Weights, 0, version, 0, 0, offset, count);

    public static Frame Samples(long ticket, byte part, long offset, int count) => new(FrameKind.Samples, part, ticket, 0, 0, offset, count);

    public static Frame Partial(long round, int level, int index, long offset, int count) => new(FrameKind.Partial, 0, round, level, index, offset, count);

    public void Write(Span<byte> header)
    {
        header[0] = (byte)Kind;
        header[1] = Part;
        header[2] = header[3] = 0;
        BinaryPrimitives.WriteInt64LittleEndian(header[4..], Tag);
        BinaryPrimitives.WriteInt32LittleEndian(header[12..], Level);
        BinaryPrimitives.WriteInt32LittleEndian(header[16..], Index);
        BinaryPrimitives.WriteInt64LittleEndian(header[20..], Offset);
        BinaryPrimitives.WriteInt32LittleEndian(header[28..], Count);
    }

    public static Frame Read(ReadOnlySpan<byte> header) => new(
        (FrameKind)header[0],
        header[1],
        BinaryPrimitives.ReadInt64LittleEndian(header[4..]),
        BinaryPrimitives.ReadInt32LittleEndian(header[12..]),
        BinaryPrimitives.ReadInt32LittleEndian(header[16..]),
        BinaryPrimitives.ReadInt64LittleEndian(header[20..]),
        BinaryPrimitives.ReadInt32LittleEndian(header[28..]));

    public override string ToString() => $"{Kind} part {Part} tag {Tag} node ({Level}, {Index}) offset {Offset} count {Count}";
}

/// <summary>
/// The first bytes of every data-plane connection: a magic word and version (a stray client or another build is
/// refused before any tensor), the job's token (handed out by the coordinator through Akka, so only the job's
/// members can write into its buffers), the sender's id within the job (so a refused frame names its sender) and
/// the receiving sink's number on its node (one process may hold several members of a job: local mode).
/// </summary>
public readonly record struct Hello(Guid Token, int SenderId, int Sink)
{
    public const int Size = 32;
    public const uint Magic = 0x544E4E52; // "RNNT"
    public const byte Version = 1;

    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        bytes[4] = Version;
        bytes[5] = bytes[6] = bytes[7] = 0;
        Token.TryWriteBytes(bytes[8..24]);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[24..], SenderId);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[28..], Sink);
    }

    /// <summary>Null when the bytes are not a hello of this protocol version.</summary>
    public static Hello? Read(ReadOnlySpan<byte> bytes)
    {
        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes) != Magic || bytes[4] != Version) return null;
        return new Hello(new Guid(bytes[8..24]), BinaryPrimitives.ReadInt32LittleEndian(bytes[24..]), BinaryPrimitives.ReadInt32LittleEndian(bytes[28..]));
    }
}

/// <summary>
/// How tensors are cut on the data plane: segments of 64 Ki floats (256 KB). A segment is the unit of arrival,
/// so the tree sums and the forwarding of a node start after its first segment, not after the whole tensor
/// (a 200 MB gradient is 763 segments); small enough to pipeline, large enough that the 32-byte header and the
/// per-segment bookkeeping cost nothing measurable.
/// </summary>
public static class Segments
{
    public const int Floats = 64 * 1024;

    public static int Count(long length) => (int)((length + Floats - 1) / Floats);

    public static (long Offset, int Count) Range(int segment, long length)
    {
        long offset = (long)segment * Floats;
        return (offset, (int)System.Math.Min(Floats, length - offset));
    }

    /// <summary>The segment a frame covers, or -1 when its offset and count are not exactly one segment of the tensor.</summary>
    public static int Of(long offset, int count, long length)
    {
        if (offset < 0 || offset >= length || offset % Floats != 0) return -1;
        int segment = (int)(offset / Floats);
        return Range(segment, length).Count == count ? segment : -1;
    }
}

/// <summary>A frame that does not fit what its receiver expects; the connection that sent it is closed.</summary>
public sealed class FrameRefusedException(string message) : Exception(message);
