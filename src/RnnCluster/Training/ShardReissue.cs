namespace RnnCluster.Coordinator.Training;

/// <summary>Why a shard went to other workers.</summary>
public enum ReissueCause
{
    /// <summary>Its holder left the cluster or was removed from it.</summary>
    Left,

    /// <summary>The failure detector found its holder unreachable.</summary>
    Unreachable,

    /// <summary>Its holder took longer than its recent pace allows (<see cref="ShardReissue.WaitedSec"/> against <see cref="ShardReissue.AllowedSec"/>).</summary>
    Late,

    /// <summary>Every holder answered, and the root of their sums did not arrive (<see cref="ShardReissue.WaitedSec"/>).</summary>
    RootMissing,
}

/// <summary>
/// A shard given to other workers in the middle of a round: groups [<see cref="FirstGroup"/>, <see cref="EndGroup"/>)
/// of <see cref="Groups"/>, of training step <see cref="Step"/> (counted from 1) or of the validation after epoch
/// <see cref="Epoch"/>, taken from the worker at <see cref="From"/> and given to those at <see cref="To"/> (empty:
/// to the next worker that is free). Whichever answer comes first counts; the bits are the same either way.
/// </summary>
public sealed record ShardReissue(
    int Epoch,
    long Step,
    bool Validation,
    int FirstGroup,
    int EndGroup,
    int Groups,
    string From,
    ReissueCause Cause,
    double WaitedSec,
    double AllowedSec,
    IReadOnlyList<string> To);
