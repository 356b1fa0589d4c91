namespace RnnCluster.Shared.Protocol;

/// <summary>
/// Every message that crosses between coordinator and worker. The serialization binding is on this marker, so
/// none of them can fall back to Akka's default JSON serializer: <see cref="Serialization.ProtocolSerializer"/>
/// writes them all.
/// </summary>
public interface IProtocolMessage
{
    /// <summary>The job the message belongs to; a worker serves one job at a time and ignores any other.</summary>
    Guid JobId { get; }
}

/// <summary>A message of one round: a request for a shard or a reply to one.</summary>
public interface IRoundMessage : IProtocolMessage
{
    /// <summary>The round, numbered by the coordinator from 0 in the order it starts them.</summary>
    long RoundId { get; }
}
