using Akka.Actor;
using Rnn.Math.Training;
using RnnCluster.Shared.DataPlane;

namespace RnnCluster.Coordinator.Actors;

/// <summary>Every segment of round <see cref="RoundId"/>'s gradient sum is in.</summary>
internal sealed record RootArrived(long RoundId) : INoSerializationVerificationNeeded;

/// <summary>A data-plane frame from the job's member <see cref="SenderId"/> did not fit and was refused.</summary>
internal sealed record SenderRefused(int SenderId, string Reason) : INoSerializationVerificationNeeded;

/// <summary>
/// The coordinator's receiving side of the data plane: the root of each training round's reduction tree, which
/// the workers finished among themselves, read segment by segment into one preallocated gradient buffer. Only the
/// current round's root is accepted; a frame of an earlier round is dropped, anything else refused.
/// </summary>
internal sealed class RootInbox(int parameterCount, IActorRef coordinator) : IFrameSink
{
    private readonly object _gate = new();
    private readonly float[] _gradient = new float[parameterCount];
    private TreeAssembly? _round;
    private int _missing;

    /// <summary>The buffer every round's root lands in; valid from <see cref="RootArrived"/> until the next round begins.</summary>
    public float[] Gradient => _gradient;

    /// <summary>Expects the root of <paramref name="round"/> (of <paramref name="groupCount"/> groups) and drops whatever is left of the previous one.</summary>
    public void Expect(long round, int groupCount)
    {
        var root = new TreeNode(ReductionTree.RootLevel(groupCount), 0);
        var assembly = new TreeAssembly(round, groupCount, _gradient.Length, _ => false,
            new Dictionary<TreeNode, float[]> { [root] = _gradient }, [root], (_, _, _) => Arrived(round));
        TreeAssembly? previous;
        lock (_gate)
        {
            (previous, _round, _missing) = (_round, assembly, assembly.SegmentCount);
        }
        previous?.Guard.Close(TimeSpan.FromSeconds(10));
    }

    public FrameTarget Open(in Frame frame, int senderId)
    {
        if (frame.Kind != FrameKind.Partial) throw new FrameRefusedException($"frame {frame}: the coordinator takes partial sums only");
        int segment = Segments.Of(frame.Offset, frame.Count, _gradient.Length);
        if (segment < 0) throw new FrameRefusedException($"frame {frame}: not a segment of a gradient ({_gradient.Length} values)");
        TreeAssembly? round;
        lock (_gate) round = _round;
        if (round is null || frame.Tag < round.Round) return FrameTarget.Drop;
        var node = new TreeNode(frame.Level, frame.Index);
        if (frame.Tag > round.Round || !round.Expects(node))
            throw new FrameRefusedException($"frame {frame}: round {round.Round} expects its root here, nothing else");
        if (!round.Guard.TryEnter()) return FrameTarget.Drop;
        if (!round.Claim(node, segment))
        {
            round.Guard.Exit();
            return FrameTarget.Drop;
        }
        return new FrameTarget(_gradient, frame.Offset, round);
    }

    public void Commit(in Frame frame, FrameTarget target, bool landed)
    {
        var round = (TreeAssembly)target.Context!;
        var node = new TreeNode(frame.Level, frame.Index);
        try
        {
            if (landed) round.MarkReady(node, (int)(frame.Offset / Segments.Floats));
            else round.Unclaim(node, (int)(frame.Offset / Segments.Floats));
        }
        finally
        {
            round.Guard.Exit();
        }
    }

    public void Refused(int senderId, string reason) => coordinator.Tell(new SenderRefused(senderId, reason));

    private void Arrived(long round)
    {
        bool complete;
        lock (_gate) complete = _round?.Round == round && --_missing == 0;
        if (complete) coordinator.Tell(new RootArrived(round));
    }
}
