namespace RnnCluster.Coordinator.Training;

/// <summary>The coordinator's node left the cluster against the run's will (it was downed, or its cluster ended); the message says how.</summary>
internal sealed class ClusterLostException(string message) : Exception(message);
