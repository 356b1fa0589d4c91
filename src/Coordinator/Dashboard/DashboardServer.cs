using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Prometheus;

namespace RnnCluster.Coordinator.Dashboard;

/// <summary>
/// The page's JSON, written by code generated at build time instead of reflection at run time. A diverged run's
/// loss is NaN or infinite; the page reads "NaN" and "Infinity" as numbers.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(DashboardUpdate))]
internal sealed partial class DashboardJson : JsonSerializerContext;

/// <summary>
/// The dashboard's web server (Kestrel, in the coordinator's process): `/` the page, `/events` the page's
/// server-sent events, `/metrics` Prometheus's text format. It only reads <see cref="DashboardState"/> and the
/// metrics; its threads are not the training's, so a slow browser or a failing request cannot hold a round.
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    /// <summary>A page gets an update at most this often; what changes in between comes together.</summary>
    private static readonly TimeSpan UpdateInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How long stopping waits for the pages to get their last update.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("dashboard.html")!;
        using var bytes = new MemoryStream();
        resource.CopyTo(bytes);
        return bytes.ToArray();
    });

    private readonly WebApplication app;

    private DashboardServer(WebApplication app, Uri url)
    {
        this.app = app;
        Url = url;
    }

    /// <summary>The page's address, with the port actually bound (the one picked when asked for port 0).</summary>
    public Uri Url { get; }

    /// <summary>Binds and starts serving; a port in use or an address not of this machine throws <see cref="IOException"/> in one line.</summary>
    public static async Task<DashboardServer> StartAsync(DashboardAddress address, DashboardState state, CollectorRegistry metrics)
    {
        var ip = Bind(address);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(ip, address.Port);
            kestrel.AddServerHeader = false;
        });
        builder.Services.AddRoutingCore();
        var app = builder.Build();
        var stopping = app.Lifetime.ApplicationStopping;
        app.MapGet("/", () => Results.Bytes(Page.Value, "text/html; charset=utf-8"));
        app.MapGet("/events", (HttpContext context) => StreamAsync(context, state, stopping));
        app.MapGet("/metrics", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
            await metrics.CollectAndExportAsTextAsync(context.Response.Body, context.RequestAborted);
        });
        try
        {
            await app.StartAsync();
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            await app.DisposeAsync();
            throw CannotListen(address, e);
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        return new DashboardServer(app, new Uri(bound + "/"));
    }

    /// <summary>Stops serving: every open page gets its last update (how the run ended), then its stream closes.</summary>
    public async ValueTask DisposeAsync()
    {
        using var grace = new CancellationTokenSource(StopGrace);
        await app.StopAsync(grace.Token);
        await app.DisposeAsync();
    }

    /// <summary>
    /// One page's server-sent events: everything at first, then what changed, at most every
    /// <see cref="UpdateInterval"/>. A browser that reconnects (EventSource does by itself) starts over.
    /// </summary>
    private static async Task StreamAsync(HttpContext context, DashboardState state, CancellationToken stopping)
    {
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cursor = StreamCursor.Fresh;
        try
        {
            while (true)
            {
                cursor = await SendUpdateAsync(context.Response, state, cursor, ended.Token);
                await state.ChangedSince(cursor).WaitAsync(ended.Token);
                await Task.Delay(UpdateInterval, ended.Token);
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The server is stopping because the run ended: the page gets how it ended before the stream closes.
            if (stopping.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
                await SendUpdateAsync(context.Response, state, cursor, context.RequestAborted);
        }
    }

    private static async Task<StreamCursor> SendUpdateAsync(HttpResponse response, DashboardState state, StreamCursor cursor, CancellationToken cancellation)
    {
        var (update, next) = state.UpdateSince(cursor);
        var message = new MemoryStream();
        message.Write("event: update\ndata: "u8);
        JsonSerializer.Serialize(message, update, DashboardJson.Default.DashboardUpdate);
        message.Write("\n\n"u8);
        await response.Body.WriteAsync(message.GetBuffer().AsMemory(0, (int)message.Length), cancellation);
        await response.Body.FlushAsync(cancellation);
        return next;
    }

    private static IPAddress Bind(DashboardAddress address)
    {
        try
        {
            return address.ResolveForBinding();
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException)
        {
            throw CannotListen(address, e);
        }
    }

    private static IOException CannotListen(DashboardAddress address, Exception cause)
    {
        var reason = (cause.InnerException ?? cause).Message.ReplaceLineEndings(" ").TrimEnd('.');
        return new IOException($"--dashboard: cannot listen on {address}: {reason}", cause);
    }
}
