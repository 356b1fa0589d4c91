using Akka.Discovery.Config.Hosting;
using Akka.Discovery.KubernetesApi;
using Akka.Hosting;
using Akka.Management.Cluster.Bootstrap;

namespace RnnCluster.Shared.Hosting;

/// <summary>
/// How a node finds the cluster without seed addresses (`--discovery`): Akka.Management's cluster bootstrap
/// asks every contact point (a node's management endpoint, <see cref="ManagementServer"/>) for the
/// cluster it is in and joins that; when none is in one, the contact point with the lowest address forms it
/// once every contact point has answered and the set has stayed the same for <see cref="StableMargin"/>. Which
/// node forms the cluster does not matter: a coordinator and workers find each other by role once in it.
/// </summary>
public abstract record NodeDiscovery
{
    /// <summary>The service every node looks up: one cluster per job's set of nodes.</summary>
    public const string ServiceName = "rnn-cluster";

    /// <summary>The management port when `--discovery` is given without `--management-port` (Akka.Management's own).</summary>
    public const int DefaultManagementPort = 8558;

    /// <summary>The name of the management port in a pod's spec, which Kubernetes discovery reads the port from.</summary>
    public const string ManagementPortName = "management";

    /// <summary>
    /// How long the set of contact points must stay the same before the lowest forms a new cluster. Akka's 5 s
    /// guards against a discovery that returns a different partial list on each node; the lists here are whole
    /// (a fixed list, or the API server's view), so a shorter margin only forms the cluster sooner.
    /// </summary>
    public static readonly TimeSpan StableMargin = TimeSpan.FromSeconds(2);

    /// <summary>How often contact points are looked up and each one asked (Akka: 1 s and 5 s).</summary>
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    /// <summary>The `--discovery` value, as the user writes it.</summary>
    public abstract string Mode { get; }

    /// <summary>Where the node looks for the cluster, in a few words for its log ("the cluster of ...").</summary>
    public abstract string Describe { get; }

    /// <summary>How many contact points must answer before a new cluster may be formed.</summary>
    protected abstract int RequiredContactPoints { get; }

    /// <summary>The name of the port discovery reports for each contact point; empty: the port comes with the contact point.</summary>
    protected virtual string PortName => "";

    /// <summary>
    /// The discovery method and the bootstrap over it, added to the node's actor system. Contact points on one
    /// host with different ports are different nodes (Akka would keep only the one on the node's own management
    /// port), and the port is the one given with each contact point.
    /// </summary>
    internal AkkaConfigurationBuilder Apply(AkkaConfigurationBuilder akka, int managementPort) => WithDiscovery(akka).WithClusterBootstrap(bootstrap =>
    {
        var contactPoints = bootstrap.ContactPointDiscovery;
        contactPoints.ServiceName = ServiceName;
        contactPoints.PortName = PortName;
        contactPoints.RequiredContactPointsNr = RequiredContactPoints;
        contactPoints.ContactWithAllContactPoints = true;
        contactPoints.StableMargin = StableMargin;
        contactPoints.Interval = ProbeInterval;
        bootstrap.ContactPoint.ProbeInterval = ProbeInterval;
        bootstrap.ContactPoint.FallbackPort = managementPort;
        bootstrap.ContactPoint.FilterOnFallbackPort = false;
    }, autoStart: false);

    /// <summary>Adds the discovery method this mode uses.</summary>
    protected abstract AkkaConfigurationBuilder WithDiscovery(AkkaConfigurationBuilder akka);
}

/// <summary>
/// `--discovery config --contact-points HOST:PORT,...`: a fixed list of management endpoints, for bare machines
/// and tests. Every node of the list must answer before a new cluster forms, so that two halves of a list
/// started apart cannot each form one.
/// </summary>
public sealed record ContactPointList(IReadOnlyList<string> ContactPoints) : NodeDiscovery
{
    public const string Name = "config";

    public override string Mode => Name;

    public override string Describe => $"contact points {string.Join(", ", ContactPoints)}";

    /// <summary>Two lists are the same discovery when they name the same contact points in the same order.</summary>
    public bool Equals(ContactPointList? other) => other is not null && ContactPoints.SequenceEqual(other.ContactPoints);

    public override int GetHashCode() => ContactPoints.Aggregate(0, HashCode.Combine);

    protected override int RequiredContactPoints => ContactPoints.Count;

    protected override AkkaConfigurationBuilder WithDiscovery(AkkaConfigurationBuilder akka) =>
        akka.WithConfigDiscovery(new ConfigServiceDiscoveryOptions
        {
            Services = [new Service { Name = ServiceName, Endpoints = ContactPoints.ToArray() }],
        });
}

/// <summary>
/// `--discovery kubernetes [--pod-label SELECTOR]`: the pods the Kubernetes API lists for the label selector
/// (the pod's service account must be allowed to list pods), each reached on its container port named
/// <see cref="NodeDiscovery.ManagementPortName"/>. Two pods must answer before a new cluster forms (Akka's
/// default): a coordinator and one worker, or two workers.
/// </summary>
public sealed record KubernetesPods(string LabelSelector) : NodeDiscovery
{
    public const string Name = "kubernetes";

    /// <summary>The label the manifests in deploy/k8s give every pod of the cluster.</summary>
    public const string DefaultLabelSelector = "app=rnn-cluster";

    public override string Mode => Name;

    public override string Describe => $"pods labelled {LabelSelector}";

    protected override int RequiredContactPoints => 2;

    protected override string PortName => ManagementPortName;

    protected override AkkaConfigurationBuilder WithDiscovery(AkkaConfigurationBuilder akka) =>
        akka.WithKubernetesDiscovery(new KubernetesDiscoveryOptions { PodLabelSelector = LabelSelector });
}
