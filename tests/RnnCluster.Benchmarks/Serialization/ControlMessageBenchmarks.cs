using Akka.Actor;
using Akka.Serialization;
using BenchmarkDotNet.Attributes;
using Rnn.Math.Config;
using Rnn.Math.Losses;
using RnnCluster.Shared.Hosting;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Benchmarks.Serialization;

/// <summary>
/// A control message through the serializer every node uses (Hyperion, unsafe types refused, the protocol's known
/// types): one serialization and one deserialization, as Akka.Remote does per message on each side. The cost
/// Serialization/WireFormat.cs weighs against a step's milliseconds.
/// </summary>
public class ControlMessageBenchmarks
{
    private ActorSystem? _system;
    private Serializer? _serializer;
    private byte[] _bytes = [];

    public static IEnumerable<ControlMessage> Messages()
    {
        var id = Guid.NewGuid();
        var model = """{"inputSize":1,"layers":[{"type":"lstm","units":512,"returnSequences":true},{"type":"lstm","units":512},{"type":"dense","units":1}]}""";
        string[] holders = ["127.0.0.1:41001#1", "127.0.0.1:41002#1", "127.0.0.1:41003#1", "127.0.0.1:41004#1"];
        return
        [
            new("StartJob", new StartJob(id, new WorkerJob(model, LossKind.Mse, 0, 4, 42, 16), new DataShape(1344, 0, 2, 1, 1), Guid.NewGuid(), "127.0.0.1:41000#1", 2)),
            new("ComputeGradients, 4 shards, 16 sample ids", new ComputeGradients(id, 7, 0, 6, 64, 16, 1, [0, 4, 8, 12, 16], holders, Enumerable.Range(16, 16).ToArray())),
            new("ComputeGradients, 4 shards, 1024 sample ids", new ComputeGradients(id, 7, 0, 6, 4096, 1024, 1, [0, 256, 512, 768, 1024], holders, Enumerable.Range(1024, 1024).ToArray())),
            new("GradientsComputed, 3 nodes", new GradientsComputed(id, 7, [new PartialSum(0, 4, new LossSums(0.25, 0, 0, 0)), new PartialSum(1, 6, new LossSums(1.5, 0, 0, 0)), new PartialSum(2, 8, new LossSums(3.5, 0, 0, 0))], 12.5)),
        ];
    }

    [ParamsSource(nameof(Messages))]
    public ControlMessage Message { get; set; } = Messages().First();

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("serialization", ActorSystemSettings.Setup(ActorSystemSettings.Base));
        _serializer = _system.Serialization.FindSerializerFor(Message.Value);
        _bytes = _serializer.ToBinary(Message.Value);
        Console.WriteLine($"// {Message}: {_bytes.Length} bytes through {_serializer.GetType().Name}");
    }

    [GlobalCleanup]
    public void Cleanup() => _system?.Terminate().Wait();

    [Benchmark]
    public byte[] Serialize() => _serializer!.ToBinary(Message.Value);

    [Benchmark]
    public object Deserialize() => _serializer!.FromBinary(_bytes, Message.Value.GetType());
}

/// <summary>A control message under a readable name.</summary>
public sealed record ControlMessage(string Name, IProtocolMessage Value)
{
    public override string ToString() => Name;
}
