using RnnCluster.Shared.Hosting;

namespace RnnCluster.Coordinator.Cluster;

/// <summary>The coordinator's cluster flags: its node, and how many workers to wait for before training (`--min-workers`).</summary>
public sealed record ClusterOptions(NodeOptions Node, int MinWorkers);
