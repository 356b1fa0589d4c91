namespace RnnCluster.Shared.DataPlane;

/// <summary>
/// Where an arriving frame's payload goes: <see cref="Buffer"/> at <see cref="Offset"/>, or nowhere (a null buffer)
/// for a frame that is valid but no longer wanted (a round already over, a duplicate), whose payload is read and dropped.
/// <see cref="Context"/> is the sink's own, handed back with the frame to <see cref="IFrameSink.Commit"/>.
/// </summary>
public readonly record struct FrameTarget(float[]? Buffer, long Offset, object? Context = null)
{
    public static readonly FrameTarget Drop = new(null, 0);
}

/// <summary>
/// The receiving side of one job on one node: says where each frame's payload lands, before it is read, so the
/// bytes go from the socket straight into a preallocated parameter-shaped buffer.
/// </summary>
public interface IFrameSink
{
    /// <summary>
    /// The place for <paramref name="frame"/>'s payload. Throws <see cref="FrameRefusedException"/> when the frame
    /// does not fit (wrong kind, offset, length, tree node or round).
    /// </summary>
    FrameTarget Open(in Frame frame, int senderId);

    /// <summary>The payload is in place (<paramref name="landed"/>), or its connection broke half-way.</summary>
    void Commit(in Frame frame, FrameTarget target, bool landed);

    /// <summary>A frame from <paramref name="senderId"/> was refused and its connection closed.</summary>
    void Refused(int senderId, string reason);
}
