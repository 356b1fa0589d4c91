using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;
using Rnn.Math.Config;
using RnnCluster.Worker.Hosting;
using RnnCluster.Worker.Protocol;
using RnnCluster.Worker.Serialization;
using Rnn.Math.LayerTypes;

namespace RnnCluster.Tests.Serialization;

public sealed class ProtocolSerializerTests : IDisposable
{
    private static readonly Guid Job = Guid.Parse("6f1c2a57-1d3e-4b8a-9c0f-52e7a1b3c4d5");

    private readonly ActorSystem _system = ActorSystem.Create(ActorSystemSettings.SystemName, ActorSystemSettings.Base);

    public static TheoryData<IProtocolMessage> Messages => new()
    {
        new StartJob(Job,
            new ModelConfig(3, [new LstmConfig(8, true), new DropoutConfig(0.2f),
                new GruConfig(4), new DenseConfig(2, Activation: Activation.Softmax)]),
            new TrainingConfig(5, 16, LossKind.CrossEntropy, false, 1234567890123UL, 1.5f,
                new OptimizerConfig(OptimizerKind.Sgd, 0.1f, 0.8f, 0.99f, 1e-6f, 0.9f), 25, 3),
            new DataShape(100, 20, 12, 3, 12)),
        new DataChunk(Job, DataPart.ValidationY, 3L * TensorChunks.ChunkFloats, [1.5f, -0f, float.NaN, float.MaxValue, float.Epsilon]),
        new WeightsChunk(Job, 42, TensorChunks.ChunkFloats, Enumerable.Range(0, 1000).Select(i => i * 0.001f).ToArray()),
        new ComputeGradients(Job, 7, 2, 6, 10, 3, 1, 3, [9, 4, 0, 7, 2, 8]),
        new ComputeValidationLoss(Job, 8, 6, 50, 25, 50),
        new JobFinished(Job),
        new DataReceived(Job),
        new GradientChunk(Job, 7, 1, 1, 0, [0.25f, -1e-30f]),
        new GradientsComputed(Job, 7, [new PartialSum(0, 1, 0.5), new PartialSum(1, 1, 1e-300)], 12.75),
        new ValidationLossComputed(Job, 8, [new PartialSum(5, 0, 123.456)], 3.5),
        new ShardFailed(Job, 9, "engine: größe ≠ shape"),
        new JobRefused(Job, "it needs about 3.0 TB on a worker"),
        new MessageRefused(Job, -1, "WeightsChunk of version 3: offset 5 lies outside its 2 values"),
    };

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_protocol_message_goes_through_the_protocol_serializer(IProtocolMessage message)
        => Assert.IsType<ProtocolSerializer>(_system.Serialization.FindSerializerFor(message));

    [Theory]
    [MemberData(nameof(Messages))]
    public void Every_protocol_message_survives_a_round_trip_unchanged(IProtocolMessage message)
    {
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        var back = _system.Serialization.Deserialize(bytes, serializer.Identifier, serializer.Manifest(message));
        Assert.Equal(message.GetType(), back.GetType());
        Assert.Equal(Json(message), Json(back));
    }

    [Fact]
    public void A_tensor_chunk_costs_its_raw_bytes_plus_a_small_header()
    {
        var chunk = new WeightsChunk(Job, 1, 0, new float[TensorChunks.ChunkFloats]);
        int size = _system.Serialization.FindSerializerFor(chunk).ToBinary(chunk).Length;
        Assert.InRange(size - TensorChunks.ChunkFloats * sizeof(float), 1, 64);
    }

    [Fact]
    public void A_message_from_another_wire_version_arrives_as_undecodable_with_its_job()
    {
        var bytes = Bytes(new DataReceived(Job));
        bytes[0] = WireFormat.Version + 1;
        Assert.Equal(new UndecodableMessage("DR", Job, $"wire format version {WireFormat.Version + 1}, this node speaks {WireFormat.Version}: run the same build everywhere"),
            Serializer.FromBinary(bytes, "DR"));
    }

    [Fact]
    public void A_truncated_message_arrives_as_undecodable()
    {
        var bytes = Bytes(new GradientChunk(Job, 1, 0, 0, 0, [1f, 2f, 3f]));
        Assert.Equal(new UndecodableMessage("GC", Job, "an array of 3 items of 4 bytes, but 11 bytes are left"), Serializer.FromBinary(bytes[..^1], "GC"));
    }

    [Fact]
    public void A_message_longer_than_its_fields_arrives_as_undecodable()
    {
        byte[] bytes = [.. Bytes(new JobFinished(Job)), 0, 0];
        Assert.Equal(new UndecodableMessage("JF", Job, "2 bytes past its last field"), Serializer.FromBinary(bytes, "JF"));
    }

    [Fact]
    public void A_manifest_this_build_does_not_know_arrives_as_undecodable()
        => Assert.Equal(new UndecodableMessage("ZZ", Job, "unknown protocol manifest 'ZZ'"), Serializer.FromBinary(Bytes(new JobFinished(Job)), "ZZ"));

    [Fact]
    public void A_damaged_array_length_is_refused_before_anything_is_allocated()
    {
        var bytes = Bytes(new GradientChunk(Job, 1, 0, 0, 0, [1f, 2f, 3f]));
        BitConverter.TryWriteBytes(bytes.AsSpan(bytes.Length - 16), int.MaxValue);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var result = Assert.IsType<UndecodableMessage>(Serializer.FromBinary(bytes, "GC"));
        Assert.InRange(GC.GetAllocatedBytesForCurrentThread() - before, 0, 64 * 1024);
        Assert.Equal($"an array of {int.MaxValue} items of 4 bytes, but 12 bytes are left", result.Reason);
    }

    [Fact]
    public void A_model_that_does_not_parse_arrives_as_undecodable()
    {
        var start = new StartJob(Job, new ModelConfig(1, [new DenseConfig(1)]), new TrainingConfig(), new DataShape(1, 0, 1, 1, 1));
        var bytes = Bytes(start);
        int at = bytes.AsSpan().IndexOf("dense"u8);
        "dance"u8.CopyTo(bytes.AsSpan(at));
        var result = Assert.IsType<UndecodableMessage>(Serializer.FromBinary(bytes, "SJ"));
        Assert.Contains("unknown layer type \"dance\"", result.Reason);
    }

    [Fact]
    public void Chunks_tile_a_tensor_in_order_within_the_chunk_size()
    {
        var tensor = Enumerable.Range(0, 2 * TensorChunks.ChunkFloats + 5).Select(i => (float)i).ToArray();
        var chunks = TensorChunks.Split(tensor).ToList();
        Assert.Equal([0, TensorChunks.ChunkFloats, 2 * TensorChunks.ChunkFloats], chunks.Select(c => c.Offset));
        Assert.Equal(tensor, chunks.SelectMany(c => c.Values));
    }

    public void Dispose() => _system.Terminate().Wait();

    private SerializerWithStringManifest Serializer => (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(new JobFinished(Job));

    private byte[] Bytes(IProtocolMessage message) => Serializer.ToBinary(message);

    // Floats print as their shortest round-trip text and NaN by name, so equal text means equal values.
    private static string Json(object message) => JsonSerializer.Serialize(message, message.GetType(), new JsonSerializerOptions
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        IncludeFields = true,
    });
}
