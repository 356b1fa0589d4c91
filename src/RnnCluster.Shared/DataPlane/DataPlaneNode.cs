using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Event;
using Akka.Remote;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Shared.DataPlane;

/// <summary>The node's TLS identity, given to the actor system so its data plane uses the same certificates as Akka.Remote.</summary>
public sealed class DataPlaneSetup(NodeTls tls) : Setup
{
    public NodeTls Tls { get; } = tls;
}

/// <summary>
/// A node's data plane: the channel for bulk tensors (the dataset at job start, the weights each step, the partial
/// gradient sums), beside Akka, which keeps the control messages.
/// Why not Akka: through Akka.Remote a tensor is serialized into a new byte array, framed by DotNetty into pooled
/// buffers, copied again on receipt and deserialized into a new float[] (DataPlaneBenchmarks over loopback, Akka.Remote
/// 1.5.74: 12.6 MB in 256 KB messages 61 ms, 0.2 GB/s, where this data plane took 4.7 ms, 2.7 GB/s, and a plain
/// socket pair 6.2 ms; docs/PERFORMANCE.md). Akka.Streams TCP and
/// Akka.IO deliver each read as a new ByteString that would still be copied into the tensor. Here a frame's
/// 32-byte header is read first, the receiver names the place its payload belongs (<see cref="IFrameSink.Open"/>),
/// and the payload is read from the socket straight into that preallocated buffer: no allocation per segment and
/// one copy, the kernel's. Each connection is read by a thread of its own and each destination written by another
/// (<see cref="SocketFrameSender"/>), so sends overlap receives.
/// In a process without remoting (local mode) the same sinks are reached by a direct copy (<see cref="LocalFrameSender"/>).
/// The coordinator hands each job's token and every endpoint out through Akka; a connection must present the
/// token first, and under TLS (<see cref="DataPlaneSetup"/>) a certificate chaining to the cluster's CA.
/// </summary>
public sealed class DataPlaneNode : IExtension, IDisposable
{
    private static readonly ConcurrentDictionary<string, DataPlaneNode> InProcess = new();
    private static int _nextLocal;

    private readonly ConcurrentDictionary<(Guid, int), IFrameSink> _sinks = new();
    private int _nextSink;
    private readonly ConcurrentDictionary<(string, Guid, int), IFrameSender> _senders = new();
    private readonly ILoggingAdapter _log;
    private readonly NodeTls? _tls;
    private readonly Socket? _listener;

    public DataPlaneNode(ExtendedActorSystem system)
    {
        _log = Logging.GetLogger(system, typeof(DataPlaneNode));
        _tls = system.Settings.Setup.Get<DataPlaneSetup>().Value?.Tls;
        if (system.Provider is IRemoteActorRefProvider remote)
        {
            var bindHost = system.Settings.Config.GetString("akka.remote.dot-netty.tcp.hostname", NodeOptions.EveryInterface);
            _listener = Listen(bindHost);
            var advertised = remote.DefaultAddress.Host ?? bindHost;
            Endpoint = $"{(advertised.Contains(':') ? $"[{advertised}]" : advertised)}:{((IPEndPoint)_listener.LocalEndPoint!).Port}";
            new Thread(Accept) { IsBackground = true, Name = "data-plane accept" }.Start();
        }
        else
        {
            Endpoint = $"{DataPlaneEndpoint.LocalPrefix}{Interlocked.Increment(ref _nextLocal)}";
            InProcess[Endpoint] = this;
        }
        system.RegisterOnTermination(Dispose);
    }

    public static DataPlaneNode Get(ActorSystem system) => system.WithExtension<DataPlaneNode, DataPlaneExtension>();

    /// <summary>Where other nodes reach this one's listener (or, in local mode, this process's plane).</summary>
    public string Endpoint { get; }

    /// <summary>Frames presenting <paramref name="token"/> and the endpoint returned go to <paramref name="sink"/> from now on.</summary>
    public string Register(Guid token, IFrameSink sink)
    {
        int number = Interlocked.Increment(ref _nextSink);
        _sinks[(token, number)] = sink;
        return DataPlaneEndpoint.Of(Endpoint, number);
    }

    /// <summary>Ends every sink and sender of the job <paramref name="token"/> on this node.</summary>
    public void Unregister(Guid token, IFrameSink sink)
    {
        foreach (var key in _sinks.Where(s => s.Key.Item1 == token && s.Value == sink).Select(s => s.Key).ToList())
            _sinks.TryRemove(key, out _);
        if (_sinks.Keys.Any(k => k.Item1 == token)) return;
        foreach (var key in _senders.Keys.Where(k => k.Item2 == token).ToList())
            if (_senders.TryRemove(key, out var sender)) (sender as IDisposable)?.Dispose();
    }

    /// <summary>
    /// A node this one sends to is gone: a connection to it ended and its listener refuses new ones, so its process
    /// is dead (a host that is alive answers a connection to a closed port at once). Raised with the endpoint as
    /// <see cref="SenderTo"/> was given it, on a thread of the data plane. A silent host (cut off, powered off) ends
    /// no connection: the failure detector is the word on those.
    /// </summary>
    public event Action<string>? PeerGone;

    /// <summary>The sender to <paramref name="endpoint"/> for job <paramref name="token"/>, as sender <paramref name="senderId"/>; one connection each, kept for the job.</summary>
    public IFrameSender SenderTo(string endpoint, Guid token, int senderId)
        => _senders.GetOrAdd((endpoint, token, senderId), _ =>
        {
            var (node, sink) = DataPlaneEndpoint.Split(endpoint);
            var hello = new Hello(token, senderId, sink);
            return node.StartsWith(DataPlaneEndpoint.LocalPrefix, StringComparison.Ordinal)
                ? new LocalFrameSender(InProcess.TryGetValue(node, out var target) ? target : throw new InvalidOperationException($"no data plane {node} in this process"), hello)
                : new SocketFrameSender(node, hello, _tls, _log, () => Probe(endpoint, node));
        });

    /// <summary>How long a connection to a closed connection's node may take before the probe leaves the verdict to the failure detector.</summary>
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A connection to <paramref name="node"/> ended: a new one tells a dead process (refused) from a live one that
    /// closed it (accepted, then closed before its hello, which the receiver lets go quietly).
    /// </summary>
    private void Probe(string endpoint, string node)
    {
        var (host, port) = DataPlaneEndpoint.Parse(node);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(ProbeTimeout);
            socket.ConnectAsync(host, port, timeout.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            _log.Info("data plane: the connection to {0} ended and its port refuses connections: its process is gone", node);
            PeerGone?.Invoke(endpoint);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            _log.Info("data plane: the connection to {0} ended and the node does not answer ({1}); the failure detector decides", node, e.Message);
        }
    }

    public void Dispose()
    {
        InProcess.TryRemove(Endpoint, out _);
        _listener?.Dispose();
        foreach (var sender in _senders.Values) (sender as IDisposable)?.Dispose();
        _senders.Clear();
    }

    /// <summary>A frame from a sender in this process (<see cref="LocalFrameSender"/>).</summary>
    internal void Deliver(Hello hello, in Frame frame, ReadOnlySpan<float> payload)
    {
        if (!_sinks.TryGetValue((hello.Token, hello.Sink), out var sink)) return;
        FrameTarget target;
        try
        {
            target = sink.Open(frame, hello.SenderId);
        }
        catch (FrameRefusedException e)
        {
            Refuse(sink, hello.SenderId, e.Message);
            return;
        }
        if (target.Buffer is null) return;
        payload.CopyTo(target.Buffer.AsSpan(checked((int)target.Offset), frame.Count));
        sink.Commit(frame, target, landed: true);
    }

    private static Socket Listen(string host)
    {
        var address = IPAddress.TryParse(host, out var parsed) ? parsed
            : Dns.GetHostAddresses(host).FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? IPAddress.Any;
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(address, 0));
        socket.Listen(64);
        return socket;
    }

    private void Accept()
    {
        while (true)
        {
            Socket connection;
            try
            {
                connection = _listener!.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            connection.NoDelay = true;
            connection.ReceiveBufferSize = 4 << 20;
            new Thread(() => Serve(connection)) { IsBackground = true, Name = "data-plane read" }.Start();
        }
    }

    /// <summary>Reads one connection: the hello, then frame after frame, each payload into the place its sink names.</summary>
    private void Serve(Socket socket)
    {
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        IFrameSink? sink = null;
        int sender = -1;
        try
        {
            if (_tls is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                ssl.AuthenticateAsServerAsync(_tls.ServerOptions()).GetAwaiter().GetResult();
                stream = ssl;
            }
            var header = new byte[System.Math.Max(Frame.Size, Hello.Size)];
            // A connection that ends before its first byte is a sender's probe (Probe): nothing to say.
            int read = stream.ReadAtLeast(header.AsSpan(0, Hello.Size), Hello.Size, throwOnEndOfStream: false);
            if (read == 0) return;
            if (read < Hello.Size) throw new EndOfStreamException("the connection ended inside its hello");
            if (Hello.Read(header) is not { } hello || !_sinks.TryGetValue((hello.Token, hello.Sink), out sink))
            {
                _log.Warning("data plane: refused a connection from {0}: not a data-plane hello of a current job", socket.RemoteEndPoint);
                return;
            }
            sender = hello.SenderId;
            var drain = new float[Segments.Floats];
            while (ReadHeader(stream, header.AsSpan(0, Frame.Size)))
            {
                var frame = Frame.Read(header);
                if (frame.Count is < 1 or > Segments.Floats)
                    throw new FrameRefusedException($"frame {frame}: a segment holds 1 to {Segments.Floats} values");
                var target = sink.Open(frame, sender);
                var destination = target.Buffer is null ? drain.AsSpan(0, frame.Count) : target.Buffer.AsSpan(checked((int)target.Offset), frame.Count);
                bool landed = false;
                try
                {
                    stream.ReadExactly(MemoryMarshal.AsBytes(destination));
                    landed = true;
                }
                finally
                {
                    if (target.Buffer is not null) sink.Commit(frame, target, landed);
                }
            }
        }
        catch (FrameRefusedException e)
        {
            Refuse(sink!, sender, e.Message);
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            if (sink is null) _log.Warning("data plane: refused a connection from {0}: {1}", socket.RemoteEndPoint, e.Message);
        }
        finally
        {
            stream.Dispose();
        }
    }

    /// <summary>False at a clean end of the stream between frames.</summary>
    private static bool ReadHeader(Stream stream, Span<byte> header)
    {
        int read = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (read == 0) return false;
        if (read < header.Length) throw new EndOfStreamException("the connection ended inside a frame header");
        return true;
    }

    /// <summary>One line per refused frame (its connection closes, so a faulty sender is logged once), then the sink's own handling.</summary>
    private void Refuse(IFrameSink sink, int sender, string reason)
    {
        _log.Warning("data plane: refused a frame from sender {0}: {1}", sender, reason);
        sink.Refused(sender, reason);
    }
}

/// <summary>Akka's handle for <see cref="DataPlaneNode"/>: one per actor system.</summary>
public sealed class DataPlaneExtension : ExtensionIdProvider<DataPlaneNode>
{
    public override DataPlaneNode CreateExtension(ExtendedActorSystem system) => new(system);
}
