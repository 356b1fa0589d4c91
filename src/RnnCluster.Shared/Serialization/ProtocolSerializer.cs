using Akka.Actor;
using Akka.Configuration;
using Akka.Serialization;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Shared.Serialization;

/// <summary>
/// Hyperion for the control messages (see <see cref="WireFormat"/>), except that bytes it cannot read (another
/// build's layout, a truncated or corrupted payload, a type that is not a known protocol type) become an
/// <see cref="UndecodableMessage"/> delivered to the recipient with its sender, which refuses it as it refuses a
/// message that reads but does not fit, instead of an exception Akka.Remote would only log. Whether a message
/// fits (tree nodes, groups, job and round) is checked where it is accepted, not here: <c>Round</c> on the
/// coordinator, <see cref="Compute.JobReplica"/> on the worker.
/// </summary>
public sealed class ProtocolSerializer(ExtendedActorSystem system) : HyperionSerializer(system, WireSettings)
{
    /// <summary>
    /// Hyperion as <see cref="WireFormat"/> says: the protocol's known types written as numbers, unsafe types
    /// refused, no object references, no version tolerance.
    /// </summary>
    private static readonly Config WireSettings = ConfigurationFactory.ParseString($"""
        known-types-provider = "{typeof(ProtocolTypes).AssemblyQualifiedName}"
        disallow-unsafe-type = true
        preserve-object-references = false
        version-tolerance = false
        """);

    /// <summary>What <see cref="UndecodableMessage.Manifest"/> names: Hyperion writes no manifest of its own.</summary>
    public const string Manifest = "control";

    public override int Identifier => WireFormat.SerializerId;

    public override object FromBinary(byte[] bytes, Type type)
    {
        try
        {
            return base.FromBinary(bytes, type);
        }
        catch (Exception e)
        {
            return new UndecodableMessage(Manifest, Guid.Empty, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
