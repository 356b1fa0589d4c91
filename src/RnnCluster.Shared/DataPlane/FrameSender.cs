using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Akka.Event;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Shared.DataPlane;

/// <summary>
/// Counts the sends that read a set of buffers, so their owner can wait for them to end before the buffers are
/// written again (the next round's sums go into the same preallocated buffers), and can cancel the ones still queued.
/// </summary>
public sealed class SendGuard
{
    private int _inFlight;
    private bool _closed;

    /// <summary>False once <see cref="Close"/> was called: the send is dropped.</summary>
    public bool TryEnter()
    {
        lock (this)
        {
            if (_closed) return false;
            _inFlight++;
            return true;
        }
    }

    public void Exit()
    {
        lock (this)
        {
            if (--_inFlight == 0) Monitor.PulseAll(this);
        }
    }

    /// <summary>Refuses further sends and waits up to <paramref name="limit"/> for those under way; false when some still run.</summary>
    public bool Close(TimeSpan limit)
    {
        lock (this)
        {
            _closed = true;
            var deadline = DateTime.UtcNow + limit;
            while (_inFlight > 0)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || !Monitor.Wait(this, left)) return _inFlight == 0;
            }
            return true;
        }
    }
}

/// <summary>Sends tensor segments to one node of one job.</summary>
public interface IFrameSender
{
    /// <summary>
    /// Queues <paramref name="frame"/> with its payload read from <paramref name="source"/> at <paramref name="offset"/>
    /// when it is written; the source must stay unchanged until then, which <paramref name="guard"/> lets its owner
    /// wait for. Returns at once: sends to different nodes run side by side and beside the receives.
    /// </summary>
    void Send(in Frame frame, ReadOnlyMemory<float> source, long offset, SendGuard? guard = null);
}

/// <summary>
/// A TCP connection (under TLS when the node has it) to one node's data plane, written by a thread of its own
/// from a queue: the caller never waits for the wire, and payloads go from the caller's buffer to the socket
/// without a copy. A connection that fails drops what is queued. The receiver never writes back, so a read that
/// returns is the connection's end: <c>closed</c> hears of it at once, whatever the sender was doing (the peer's
/// process died, or it closed the connection), unless this sender was disposed first.
/// </summary>
internal sealed class SocketFrameSender : IFrameSender, IDisposable
{
    private readonly record struct Job(Frame Frame, ReadOnlyMemory<float> Source, long Offset, SendGuard? Guard);

    private readonly BlockingCollection<Job> _queue = new();
    private readonly string _endpoint;
    private readonly Hello _hello;
    private readonly NodeTls? _tls;
    private readonly ILoggingAdapter _log;
    private readonly Action _closed;
    private readonly Thread _thread;
    private volatile bool _disposed;

    public SocketFrameSender(string endpoint, Hello hello, NodeTls? tls, ILoggingAdapter log, Action closed)
    {
        (_endpoint, _hello, _tls, _log, _closed) = (endpoint, hello, tls, log, closed);
        _thread = new Thread(Run) { IsBackground = true, Name = $"data-plane to {endpoint}" };
        _thread.Start();
    }

    public void Send(in Frame frame, ReadOnlyMemory<float> source, long offset, SendGuard? guard = null)
    {
        if (!_queue.IsAddingCompleted) _queue.Add(new Job(frame, source, offset, guard));
    }

    public void Dispose()
    {
        _disposed = true;
        _queue.CompleteAdding();
    }

    private void Run()
    {
        Stream? stream = null;
        var header = new byte[Frame.Size];
        try
        {
            foreach (var job in _queue.GetConsumingEnumerable())
            {
                if (job.Guard is not null && !job.Guard.TryEnter()) continue;
                try
                {
                    if (stream is null)
                    {
                        stream = Connect();
                        _ = WatchAsync(stream);
                    }
                    job.Frame.Write(header);
                    stream.Write(header);
                    stream.Write(MemoryMarshal.AsBytes(job.Source.Span.Slice(checked((int)job.Offset), job.Frame.Count)));
                }
                finally
                {
                    job.Guard?.Exit();
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException)
        {
            _log.Warning("data plane: the connection to {0} failed ({1}); what was queued for it is dropped", _endpoint, e.Message);
            _queue.CompleteAdding();
        }
        finally
        {
            stream?.Dispose();
        }
    }

    /// <summary>Waits for the connection's end (the receiver sends nothing) and says so, unless this sender is being disposed.</summary>
    private async Task WatchAsync(Stream stream)
    {
        var buffer = new byte[1];
        try
        {
            while (await stream.ReadAsync(buffer).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }
        if (!_disposed) _closed();
    }

    private Stream Connect()
    {
        var (host, port) = DataPlaneEndpoint.Parse(_endpoint);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 4 << 20 };
        try
        {
            socket.Connect(host, port);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        Stream stream = new NetworkStream(socket, ownsSocket: true);
        if (_tls is not null)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            ssl.AuthenticateAsClientAsync(_tls.ClientOptions(host)).GetAwaiter().GetResult();
            stream = ssl;
        }
        Span<byte> hello = stackalloc byte[Hello.Size];
        _hello.Write(hello);
        stream.Write(hello);
        return stream;
    }
}

/// <summary>
/// Delivery to a data plane in the same process (local mode): the payload is copied straight into the receiver's
/// buffer on the caller's thread, through the same checks a socket's frames go through.
/// </summary>
internal sealed class LocalFrameSender(DataPlaneNode target, Hello hello) : IFrameSender
{
    public void Send(in Frame frame, ReadOnlyMemory<float> source, long offset, SendGuard? guard = null)
    {
        if (guard is not null && !guard.TryEnter()) return;
        try
        {
            target.Deliver(hello, frame, source.Span.Slice(checked((int)offset), frame.Count));
        }
        finally
        {
            guard?.Exit();
        }
    }
}

/// <summary>
/// How a sink on a data plane is addressed: `HOST:PORT#SINK` over TCP, `local:N#SINK` inside one process; the node
/// part names the listener, the sink part the member of the job behind it.
/// </summary>
public static class DataPlaneEndpoint
{
    public const string LocalPrefix = "local:";

    public static string Of(string node, int sink) => $"{node}#{sink}";

    public static (string Node, int Sink) Split(string endpoint)
    {
        int hash = endpoint.LastIndexOf('#');
        if (hash <= 0 || !int.TryParse(endpoint[(hash + 1)..], out int sink))
            throw new FormatException($"not a data-plane endpoint: '{endpoint}'");
        return (endpoint[..hash], sink);
    }

    public static (string Host, int Port) Parse(string endpoint)
    {
        int colon = endpoint.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(endpoint[(colon + 1)..], out int port) || port is < 1 or > 65535)
            throw new FormatException($"not a data-plane endpoint: '{endpoint}'");
        return (endpoint[..colon].Trim('[', ']'), port);
    }
}
