using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using RnnCluster.Shared.DataPlane;
using RnnCluster.Shared.Serialization;

namespace RnnCluster.Benchmarks.DataPlane;

/// <summary>
/// One tensor from one actor system's data plane to another's over loopback TCP, against the same bytes through a
/// plain socket pair (the limit the data plane is held to on this machine) and through Akka.Remote (the way the
/// data plane replaced). <see cref="DataPlane"/> goes the way a partial sum goes in training: 64K-float segments
/// with their frame headers, queued to the sender's thread, read by the receiver's thread straight into a
/// preallocated buffer; a call ends when the receiver has every segment. <see cref="PlainSocket"/> writes the
/// tensor's bytes in one call and a thread reads them in one call into a preallocated buffer: no framing, no
/// queue, nothing but the kernel's two copies. <see cref="AkkaRemote"/> sends the same segments as byte[] messages
/// between two actors: each copied out of the tensor into its message, serialized, framed by DotNetty, and copied
/// into the receiver's buffer.
/// </summary>
public class DataPlaneBenchmarks
{
    private const int SegmentBytes = Segments.Floats * sizeof(float);

    private ActorSystem? _sending, _receiving;
    private IFrameSender? _sender;
    private CountingSink? _sink;
    private Socket? _plainWriter;
    private PlainReader? _plainReader;
    private IActorRef? _collector;
    private Collector? _collected;
    private float[] _tensor = [];
    private long _round;

    /// <summary>The sizes of the sync benchmark's two models (docs/PERFORMANCE.md).</summary>
    public static IEnumerable<TensorSize> Sizes() =>
    [
        new("two-layer LSTM(512)", 3_156_481),
        new("LSTM(3540)", 50_172_421),
    ];

    [ParamsSource(nameof(Sizes))]
    public TensorSize Size { get; set; } = Sizes().First();

    [GlobalSetup]
    public void Setup()
    {
        _tensor = new float[Size.Floats];
        new Random(1).NextBytes(MemoryMarshal.AsBytes(_tensor.AsSpan()));
        (_sending, _receiving) = (RemoteSystem("sending"), RemoteSystem("receiving"));
        var token = Guid.NewGuid();
        _sink = new CountingSink(Size.Floats);
        string endpoint = DataPlaneNode.Get(_receiving).Register(token, _sink);
        _sender = DataPlaneNode.Get(_sending).SenderTo(endpoint, token, senderId: 1);

        _collected = new Collector(Size.Floats * sizeof(float));
        var collected = _collected;
        _receiving.ActorOf(Props.Create(() => new CollectorActor(collected)), "collector");
        var address = ((ExtendedActorSystem)_receiving).Provider.DefaultAddress;
        _collector = _sending.ActorSelection($"{address}/user/collector").ResolveOne(TimeSpan.FromSeconds(30)).Result;

        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        _plainWriter = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 4 << 20 };
        _plainWriter.Connect(listener.LocalEndPoint!);
        var accepted = listener.Accept();
        accepted.ReceiveBufferSize = 4 << 20;
        _plainReader = new PlainReader(accepted, Size.Floats);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plainWriter?.Dispose();
        _plainReader?.Dispose();
        _sending?.Terminate().Wait();
        _receiving?.Terminate().Wait();
    }

    [Benchmark(Baseline = true)]
    public void PlainSocket()
    {
        _plainReader!.Expect();
        _plainWriter!.Send(MemoryMarshal.AsBytes(_tensor.AsSpan()));
        _plainReader.Wait();
    }

    [Benchmark]
    public void DataPlane()
    {
        long round = ++_round;
        _sink!.Expect(round);
        for (int segment = 0; segment < Segments.Count(_tensor.Length); segment++)
        {
            var (offset, count) = Segments.Range(segment, _tensor.Length);
            _sender!.Send(Frame.Partial(round, 0, 0, offset, count), _tensor, offset);
        }
        _sink.Wait();
    }

    [Benchmark]
    public void AkkaRemote()
    {
        var bytes = MemoryMarshal.AsBytes(_tensor.AsSpan());
        for (int offset = 0; offset < bytes.Length; offset += SegmentBytes)
            _collector!.Tell(bytes.Slice(offset, System.Math.Min(SegmentBytes, bytes.Length - offset)).ToArray());
        _collected!.Wait();
    }

    /// <summary>An actor system with remoting on 127.0.0.1 (so its data plane listens on a TCP port) and the nodes' frame sizes.</summary>
    private static ActorSystem RemoteSystem(string name) => ActorSystem.Create(name, ConfigurationFactory.ParseString("""
        akka.actor.provider = remote
        akka.remote.dot-netty.tcp { hostname = 127.0.0.1, port = 0 }
        akka.loglevel = WARNING
        """).WithFallback(WireFormat.Config));

    /// <summary>Every segment of the expected round lands in one preallocated buffer; the caller waits for the last.</summary>
    private sealed class CountingSink(int floats) : IFrameSink
    {
        private readonly float[] _buffer = new float[floats];
        private readonly SemaphoreSlim _complete = new(0);
        private long _round;
        private int _missing;

        public void Expect(long round) => (_round, _missing) = (round, Segments.Count(floats));

        public void Wait() => _complete.Wait();

        public FrameTarget Open(in Frame frame, int senderId)
            => frame.Tag == Volatile.Read(ref _round) ? new FrameTarget(_buffer, frame.Offset) : FrameTarget.Drop;

        public void Commit(in Frame frame, FrameTarget target, bool landed)
        {
            if (landed && Interlocked.Decrement(ref _missing) == 0) _complete.Release();
        }

        public void Refused(int senderId, string reason) => throw new InvalidOperationException(reason);
    }

    /// <summary>The receiving buffer of <see cref="AkkaRemote"/>: messages arrive in order, so each goes where the last ended.</summary>
    private sealed class Collector(int length)
    {
        private readonly byte[] _buffer = new byte[length];
        private readonly SemaphoreSlim _complete = new(0);
        private int _filled;

        public void Add(byte[] segment)
        {
            segment.CopyTo(_buffer, _filled);
            _filled += segment.Length;
            if (_filled < _buffer.Length) return;
            _filled = 0;
            _complete.Release();
        }

        public void Wait() => _complete.Wait();
    }

    private sealed class CollectorActor : ReceiveActor
    {
        public CollectorActor(Collector collector) => Receive<byte[]>(collector.Add);
    }

    /// <summary>Reads a whole tensor per <see cref="Expect"/> from a socket, on a thread of its own.</summary>
    private sealed class PlainReader : IDisposable
    {
        private readonly Socket _socket;
        private readonly byte[] _buffer;
        private readonly SemaphoreSlim _go = new(0), _complete = new(0);

        public PlainReader(Socket socket, int floats)
        {
            (_socket, _buffer) = (socket, new byte[floats * sizeof(float)]);
            new Thread(Run) { IsBackground = true, Name = "plain socket read" }.Start();
        }

        public void Expect() => _go.Release();

        public void Wait() => _complete.Wait();

        public void Dispose() => _socket.Dispose();

        private void Run()
        {
            using var stream = new NetworkStream(_socket, ownsSocket: false);
            try
            {
                while (true)
                {
                    _go.Wait();
                    stream.ReadExactly(_buffer);
                    _complete.Release();
                }
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The benchmark is over: its socket was closed.
            }
        }
    }
}

/// <summary>A tensor of <see cref="Floats"/> values; each call moves it once.</summary>
public sealed record TensorSize(string Name, int Floats) : ICountsBytes
{
    public double Bytes(string method) => Floats * (double)sizeof(float);

    public override string ToString() => $"{Name} ({Floats * 4.0 / 1e6:0.0} MB)";
}
