using Akka.Configuration;

namespace RnnCluster.Worker.Serialization;

/// <summary>
/// The Akka settings every node of a job must share, in one place so they cannot differ: the protocol's
/// serializer and its binding, and one maximum frame size. Nodes with different frame sizes disassociate and
/// an oversized message is dropped with only a log line; since no flag can change these, a mismatch needs two
/// different builds, and <see cref="ProtocolSerializer"/> refuses a message from another wire version.
/// </summary>
public static class WireFormat
{
    /// <summary>Raised whenever the binary layout of a message changes.</summary>
    public const byte Version = 3;

    /// <summary>Room for a 64 KB tensor chunk and for the sample indices of a minibatch of up to ~900,000 samples.</summary>
    public const int MaximumFrameSizeBytes = 4 * 1024 * 1024;

    public const int SerializerId = 4107;

    public static readonly string Hocon = $$"""
        akka.actor {
          serializers.rnn-protocol = "{{typeof(ProtocolSerializer).AssemblyQualifiedName}}"
          serialization-bindings {
            "{{typeof(Protocol.IProtocolMessage).AssemblyQualifiedName}}" = rnn-protocol
          }
          serialization-identifiers {
            "{{typeof(ProtocolSerializer).AssemblyQualifiedName}}" = {{SerializerId}}
          }
        }
        akka.remote.dot-netty.tcp {
          maximum-frame-size = {{MaximumFrameSizeBytes}}b
          send-buffer-size = {{2 * MaximumFrameSizeBytes}}b
          receive-buffer-size = {{2 * MaximumFrameSizeBytes}}b
        }
        """;

    public static Config Config => ConfigurationFactory.ParseString(Hocon);
}
