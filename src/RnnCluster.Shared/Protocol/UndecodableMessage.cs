namespace RnnCluster.Shared.Protocol;

/// <summary>
/// What arrives in place of a protocol message whose bytes could not be read: another build's layout, a type that
/// is not a known protocol type, a truncated or corrupted body (<see cref="Serialization.ProtocolSerializer"/>,
/// which names it <see cref="Manifest"/>). The serializer delivers it instead of throwing, so the actor that
/// receives it knows the sender and can refuse the message as it refuses one that reads but does not fit.
/// <see cref="JobId"/> is the job the bytes named, when that much could be read, else empty. It never crosses the
/// network itself.
/// </summary>
public sealed record UndecodableMessage(string Manifest, Guid JobId, string Reason);
