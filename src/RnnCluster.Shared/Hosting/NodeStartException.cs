namespace RnnCluster.Shared.Hosting;

/// <summary>A cluster node could not start (its address is taken or does not resolve); the message says why in one line.</summary>
public sealed class NodeStartException(string message) : Exception(message);
