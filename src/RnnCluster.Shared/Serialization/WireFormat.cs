using System.Collections.Immutable;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Serialization;

namespace RnnCluster.Shared.Serialization;

/// <summary>
/// The Akka settings every node of a job must share, in one place so they cannot differ.
/// Two paths, each where it pays (figures in docs/PERFORMANCE.md):
/// - Control messages (the job, requests, replies: tens to a few hundred bytes) go through Akka.Remote,
///   serialized by Hyperion: no field order is written by hand, and a new field is no new code. Its unsafe-type
///   protection is on (a peer cannot make a node build the types known to run code on deserialization), and the
///   message types are known types (<see cref="ProtocolTypes"/>), written as a number instead of their names.
///   Object references and version tolerance are off: messages hold no shared or
///   cyclic objects, and every node runs the same build; bytes that do not read (another build's layout, a
///   corrupted payload) reach the recipient as an UndecodableMessage, which it refuses (<see cref="ProtocolSerializer"/>).
///   Measured (ControlMessageBenchmarks): a ComputeGradients of 16 sample ids (225 bytes) serializes and
///   deserializes in about 1 µs each way, a whole round of four workers' messages in some 10 µs: nothing beside a
///   round of milliseconds.
/// - Tensors (dataset, weights, gradients: megabytes) never enter Akka: they go on the data plane
///   (DataPlane/DataPlaneNode.cs) straight into preallocated buffers, at 2.7-2.8 GB/s over loopback where the same
///   segments as messages through Akka.Remote moved 0.2-0.5 GB/s (DataPlaneBenchmarks).
/// Nodes with different frame sizes disassociate and an oversized message is dropped with only a log line; since no
/// flag can change these, a mismatch needs two different builds.
/// </summary>
public static class WireFormat
{
    /// <summary>Room for the sample indices of a minibatch of up to ~900,000 samples in one request.</summary>
    public const int MaximumFrameSizeBytes = 4 * 1024 * 1024;

    public const int SerializerId = 4107;

    /// <summary>The serializer's name among the actor system's serializers.</summary>
    public const string SerializerName = "rnn-protocol";

    /// <summary>What the serializer carries: every protocol message (none may fall back to Akka's JSON serializer).</summary>
    public static readonly IReadOnlyList<Type> BoundTypes = [typeof(Protocol.IProtocolMessage)];

    /// <summary>The frame sizes, which Akka.Remote reads from its settings (every node gets them with ActorSystemSettings.Worker).</summary>
    public static readonly string Hocon = $$"""
        akka.remote.dot-netty.tcp {
          maximum-frame-size = {{MaximumFrameSizeBytes}}b
          send-buffer-size = {{2 * MaximumFrameSizeBytes}}b
          receive-buffer-size = {{2 * MaximumFrameSizeBytes}}b
        }
        """;

    public static Config Config => ConfigurationFactory.ParseString(Hocon);

    /// <summary>
    /// The serializer registered through Akka.Hosting, as remoting is: the programs' nodes
    /// (<see cref="Hosting.ClusterNode"/>) and any application hosting a worker go through here.
    /// </summary>
    public static AkkaConfigurationBuilder WithWireFormat(this AkkaConfigurationBuilder builder) =>
        builder.WithCustomSerializer(SerializerName, BoundTypes, system => new ProtocolSerializer(system));

    /// <summary>
    /// The same serializer for an actor system made without Akka.Hosting (local mode, tests): the setup Akka.Hosting
    /// builds from <see cref="WithWireFormat"/>.
    /// </summary>
    public static SerializationSetup Serialization => SerializationSetup.Create(system => ImmutableHashSet.Create(
        SerializerDetails.Create(SerializerName, new ProtocolSerializer(system), BoundTypes.ToImmutableHashSet())));
}
