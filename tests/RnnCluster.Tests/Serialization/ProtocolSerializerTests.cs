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
    public void A_message_from_another_wire_version_is_refused()
    {
        var message = new DataReceived(Job);
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        bytes[0] = WireFormat.Version + 1;
        Assert.Throws<InvalidDataException>(() => serializer.FromBinary(bytes, serializer.Manifest(message)));
    }

    [Fact]
    public void A_truncated_message_is_refused()
    {
        var message = new GradientChunk(Job, 1, 0, 0, 0, [1f, 2f, 3f]);
        var serializer = (SerializerWithStringManifest)_system.Serialization.FindSerializerFor(message);
        var bytes = serializer.ToBinary(message);
        Assert.Throws<InvalidDataException>(() => serializer.FromBinary(bytes[..^1], serializer.Manifest(message)));
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

    // Floats print as their shortest round-trip text and NaN by name, so equal text means equal values.
    private static string Json(object message) => JsonSerializer.Serialize(message, message.GetType(), new JsonSerializerOptions
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        IncludeFields = true,
    });
}
