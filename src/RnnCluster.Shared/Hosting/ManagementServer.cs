using System.Collections.Immutable;
using System.Net;
using System.Text;
using Akka;
using Akka.Actor;
using Akka.Cluster;
using Akka.Management.Cluster.Bootstrap;
using Akka.Management.Cluster.Bootstrap.ContactPoint;
using Akka.Management.Dsl;
using Newtonsoft.Json;

namespace RnnCluster.Shared.Hosting;

/// <summary>
/// A node's management endpoints on a port of their own (`--management-port`): `/alive` and `/ready` for probes
/// (<see cref="NodeHealth"/>; the paths of Akka.Management's health checks), and `/bootstrap/seed-nodes`, the
/// contact point that Akka.Management's cluster bootstrap on other nodes asks, answered as Akka.Management's own
/// route answers it (HttpClusterBootstrapRoutes, the same JSON types). Akka.Management's HTTP server itself
/// (Akka.Http.Shim 1.5.73 over Ceen.Httpd) cannot start with the Ceen.Httpd the feed serves, 0.9.10 (it calls a
/// ListenAsync overload 0.9.10 no longer has), so the endpoints are served here by .NET's HttpListener; the
/// bootstrap, the discovery and the join decision are Akka.Management's.
/// </summary>
public sealed class ManagementServer : IDisposable
{
    public const string AlivePath = "/alive";
    public const string ReadyPath = "/ready";
    public const string SeedNodesPath = "/bootstrap/seed-nodes";

    /// <summary>How many members a contact point names as seed nodes (Akka.Management's max-seed-nodes-to-expose).</summary>
    private const int SeedNodesExposed = 5;

    private readonly ActorSystem _system;
    private readonly HttpListener _listener;
    private readonly int _port;

    private ManagementServer(ActorSystem system, HttpListener listener, int port) => (_system, _listener, _port) = (system, listener, port);

    /// <summary>
    /// Serves the node's endpoints on <paramref name="host"/>:<paramref name="port"/> until the node leaves the
    /// cluster or its actor system ends (Akka.Management stops its server at the same phase).
    /// </summary>
    public static ManagementServer Start(ActorSystem system, string host, int port)
    {
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://{(host is NodeOptions.EveryInterface or "::" ? "*" : host)}:{port}/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            throw new NodeStartException($"cannot serve the management endpoints on {host}:{port}: {e.Message}");
        }
        var server = new ManagementServer(system, listener, port);
        _ = server.ServeAsync();
        CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseBeforeClusterShutdown, "management-server-stop", () =>
        {
            server.Dispose();
            return Task.FromResult(Done.Instance);
        });
        _ = system.WhenTerminated.ContinueWith(_ => server.Dispose(), TaskScheduler.Default);
        return server;
    }

    /// <summary>The address other nodes reach these endpoints at, the node being known to them as <paramref name="advertisedHost"/>.</summary>
    public Uri BaseUri(string advertisedHost) => new($"http://{advertisedHost}:{_port}/");

    /// <summary>
    /// Starts Akka.Management's cluster bootstrap with this node's own contact point <paramref name="self"/>, which
    /// Akka.Management's server would otherwise have told it (the bootstrap knows itself among the contact points
    /// by it, and only the lowest contact point forms a cluster).
    /// </summary>
    public static Task StartBootstrapAsync(ActorSystem system, Uri self)
    {
        var bootstrap = ClusterBootstrap.Get(system);
        bootstrap.Routes(ManagementRouteProviderSettings.Create(self, readOnly: true));
        return bootstrap.Start();
    }

    public void Dispose()
    {
        if (_listener.IsListening) _listener.Close();
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            _ = AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var (status, json) = context.Request.HttpMethod != "GET" ? (HttpStatusCode.MethodNotAllowed, Reason("GET only"))
                : context.Request.Url?.AbsolutePath switch
                {
                    AlivePath => Probe(NodeHealth.Get(_system).Liveness),
                    ReadyPath => Probe(NodeHealth.Get(_system).Readiness),
                    SeedNodesPath => (HttpStatusCode.OK, SeedNodes()),
                    _ => (HttpStatusCode.NotFound, Reason($"not found; the endpoints are {AlivePath}, {ReadyPath} and {SeedNodesPath}")),
                };
            var body = Encoding.UTF8.GetBytes(json);
            response.StatusCode = (int)status;
            response.ContentType = "application/json";
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The prober went away, or the server is closing: nobody is left to answer.
        }
        finally
        {
            response.Close();
        }
    }

    private static (HttpStatusCode, string) Probe(Readiness readiness) =>
        (readiness.Ready ? HttpStatusCode.OK : HttpStatusCode.ServiceUnavailable, System.Text.Json.JsonSerializer.Serialize(new { ok = readiness.Ready, reason = readiness.Reason }));

    private static string Reason(string reason) => System.Text.Json.JsonSerializer.Serialize(new { reason });

    /// <summary>
    /// Akka.Management's answer to a bootstrapping node: this node's address and the members it would join
    /// through (reachable, Up, WeaklyUp or Joining); none while this node is not in a cluster or leaving it.
    /// </summary>
    private string SeedNodes()
    {
        var cluster = Akka.Cluster.Cluster.Get(_system);
        var self = cluster.SelfMember;
        var members = ImmutableList<HttpBootstrapJsonProtocol.ClusterMember>.Empty;
        if (self.Status is not (MemberStatus.Down or MemberStatus.Exiting or MemberStatus.Leaving or MemberStatus.Removed))
        {
            var state = cluster.State;
            members = state.Members
                .Where(m => !state.Unreachable.Contains(m) && m.Status is MemberStatus.Up or MemberStatus.WeaklyUp or MemberStatus.Joining)
                .Take(SeedNodesExposed)
                .Select(m => new HttpBootstrapJsonProtocol.ClusterMember(m.UniqueAddress.Address, m.UniqueAddress.Uid, m.Status, m.Roles))
                .ToImmutableList();
        }
        return JsonConvert.SerializeObject(new HttpBootstrapJsonProtocol.SeedNodes(self.UniqueAddress.Address, members));
    }
}
