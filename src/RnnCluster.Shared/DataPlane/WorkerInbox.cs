using Akka.Actor;
using Rnn.Math.Training;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Shared.DataPlane;

/// <summary>The dataset of the job is complete on this worker.</summary>
internal sealed record DataArrived : INoSerializationVerificationNeeded
{
    public static readonly DataArrived Instance = new();
}

/// <summary>Every row of a fetch of samples has come (<see cref="SampleCache"/>).</summary>
internal sealed record SamplesArrived : INoSerializationVerificationNeeded
{
    public static readonly SamplesArrived Instance = new();
}

/// <summary>Every segment of weights <see cref="Version"/> is in <see cref="Weights"/>.</summary>
internal sealed record WeightsArrived(long Version, float[] Weights) : INoSerializationVerificationNeeded;

/// <summary>A frame from the job's member <see cref="SenderId"/> was refused.</summary>
internal sealed record PeerRefused(int SenderId, string Reason) : INoSerializationVerificationNeeded;

/// <summary>
/// A worker's receiving side of one job on the data plane: the dataset straight into the replica's arrays (or the
/// samples it fetched into their blocks of its <see cref="SampleCache"/>), each step's weights into a spare buffer (the actor may still compute with the previous version), and the partial sums
/// of other shards into the buffers of the round's <see cref="TreeAssembly"/>. Whatever does not fit is refused:
/// a segment out of range or misaligned, a tree node the round does not expect, an unknown frame kind. A frame of a
/// round already over is read and dropped; one of a round not yet known waits (the request comes through Akka,
/// the tensors through the data plane, and either may be first).
/// Tells <paramref name="actor"/> when the data or a weights version is complete, and when it refused a frame.
/// </summary>
internal sealed class WorkerInbox(JobReplica replica, IActorRef actor) : IFrameSink
{
    /// <summary>How long a frame of a round this worker has not heard of waits for that round's request.</summary>
    private static readonly TimeSpan UnknownRoundWait = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly bool[][] _dataSegments = Enum.GetValues<DataPart>().Select(p => new bool[Segments.Count(replica.Job.Shape.Length(p))]).ToArray();
    private int _dataMissing = Enum.GetValues<DataPart>().Sum(p => Segments.Count(replica.Job.Shape.Length(p)));
    private readonly Stack<float[]> _spareWeights = new();
    private readonly Stack<float[]> _spareSums = new();
    private float[]? _filling;
    private long _fillingVersion = -1;
    private bool[] _weightSegments = [];
    private int _weightsMissing;
    private long _latestWeights = -1;
    private TreeAssembly? _assembly;
    private long _newestRound = -1;

    public FrameTarget Open(in Frame frame, int senderId) => frame.Kind switch
    {
        FrameKind.Data => OpenData(frame),
        FrameKind.Weights => OpenWeights(frame),
        FrameKind.Partial => OpenPartial(frame),
        FrameKind.Samples => replica.Samples?.Open(frame) ?? throw new FrameRefusedException($"frame {frame}: this worker holds its data and fetched no samples"),
        _ => throw new FrameRefusedException($"unknown frame kind {(byte)frame.Kind}"),
    };

    public void Commit(in Frame frame, FrameTarget target, bool landed)
    {
        switch (frame.Kind)
        {
            case FrameKind.Data:
                CommitData(frame, landed);
                break;
            case FrameKind.Weights:
                CommitWeights(frame, target, landed);
                break;
            case FrameKind.Samples:
                replica.Samples!.Commit(frame, target, landed);
                break;
            default:
                CommitPartial(frame, target, landed);
                break;
        }
    }

    public void Refused(int senderId, string reason) => actor.Tell(new PeerRefused(senderId, reason));

    /// <summary>A buffer the weights of the version after the actor's can be filled into.</summary>
    public void ReturnWeights(float[] buffer)
    {
        lock (_gate) _spareWeights.Push(buffer);
    }

    /// <summary>
    /// Starts a round's assembly, which ends the previous one: sends still reading its buffers finish first (a shard's
    /// local sums are the compute's scratch, written again by the next shard), the rest are dropped.
    /// </summary>
    public TreeAssembly BeginRound(ComputeGradients request, Action<TreeNode, int, float[], TreeAssembly, TreeRoutes.Transfer> emit)
    {
        var transfers = TreeRoutes.Plan(request.ShardBounds);
        var incoming = new Dictionary<TreeNode, float[]>();
        TreeAssembly? previous;
        lock (_gate)
        {
            previous = _assembly;
            _assembly = null;
        }
        if (previous is not null) Release(previous);
        lock (_gate)
        {
            foreach (var t in transfers.Where(t => t.ToShard == request.Shard))
                incoming[t.Node] = _spareSums.Count > 0 ? _spareSums.Pop() : new float[replica.ParameterCount];
        }
        var outgoing = transfers.Where(t => t.FromShard == request.Shard).ToDictionary(t => t.Node);
        TreeAssembly? assembly = null;
        assembly = new TreeAssembly(request.RoundId, request.GroupCount, replica.ParameterCount,
            node => TreeRoutes.Owns(request.Shard, node, request.ShardBounds), incoming, outgoing.Keys,
            (node, segment, buffer) => emit(node, segment, buffer, assembly!, outgoing[node]));
        lock (_gate)
        {
            _assembly = assembly;
            _newestRound = System.Math.Max(_newestRound, request.RoundId);
            Monitor.PulseAll(_gate);
        }
        return assembly;
    }

    /// <summary>The assembly of <paramref name="round"/>, unless a later round replaced it.</summary>
    public TreeAssembly? Current(long round)
    {
        lock (_gate) return _assembly?.Round == round ? _assembly : null;
    }

    /// <summary>Ends the job's last assembly (the job finished or was replaced).</summary>
    public void Close()
    {
        TreeAssembly? last;
        lock (_gate)
        {
            last = _assembly;
            _assembly = null;
            _newestRound = long.MaxValue;
            Monitor.PulseAll(_gate);
        }
        if (last is not null) Release(last);
    }

    private void Release(TreeAssembly assembly)
    {
        // A send or receive still under way after this long is abandoned with its buffers, which are not reused.
        if (!assembly.Guard.Close(TimeSpan.FromSeconds(10))) return;
        lock (_gate)
            foreach (var buffer in assembly.IncomingBuffers) _spareSums.Push(buffer);
    }

    private FrameTarget OpenData(in Frame frame)
    {
        if (frame.Part > (byte)DataPart.ValidationLengths) throw new FrameRefusedException($"frame {frame}: no such data part");
        var part = (DataPart)frame.Part;
        int segment = Segments.Of(frame.Offset, frame.Count, replica.Job.Shape.Length(part));
        if (segment < 0) throw new FrameRefusedException($"frame {frame}: not a segment of {part} ({replica.Job.Shape.Length(part)} values)");
        lock (_gate)
            return _dataSegments[(int)part][segment] ? FrameTarget.Drop : new FrameTarget(replica.Received(part), frame.Offset);
    }

    private void CommitData(in Frame frame, bool landed)
    {
        if (!landed) return;
        bool complete;
        lock (_gate)
        {
            ref bool seen = ref _dataSegments[frame.Part][Segments.Of(frame.Offset, frame.Count, replica.Job.Shape.Length((DataPart)frame.Part))];
            if (seen) return;
            seen = true;
            complete = --_dataMissing == 0;
        }
        if (complete) actor.Tell(DataArrived.Instance);
    }

    private FrameTarget OpenWeights(in Frame frame)
    {
        int segment = Segments.Of(frame.Offset, frame.Count, replica.ParameterCount);
        if (segment < 0) throw new FrameRefusedException($"frame {frame}: not a segment of the weights ({replica.ParameterCount} values)");
        lock (_gate)
        {
            if (frame.Tag <= _latestWeights || frame.Tag < _fillingVersion) return FrameTarget.Drop;
            if (frame.Tag > _fillingVersion)
            {
                _filling ??= _spareWeights.Count > 0 ? _spareWeights.Pop() : new float[replica.ParameterCount];
                _fillingVersion = frame.Tag;
                _weightSegments = new bool[Segments.Count(replica.ParameterCount)];
                _weightsMissing = _weightSegments.Length;
            }
            return _weightSegments[segment] ? FrameTarget.Drop : new FrameTarget(_filling, frame.Offset);
        }
    }

    private void CommitWeights(in Frame frame, FrameTarget target, bool landed)
    {
        WeightsArrived? complete = null;
        lock (_gate)
        {
            int segment = Segments.Of(frame.Offset, frame.Count, replica.ParameterCount);
            if (!landed || frame.Tag != _fillingVersion || target.Buffer != _filling || _weightSegments[segment]) return;
            _weightSegments[segment] = true;
            if (--_weightsMissing == 0)
            {
                complete = new WeightsArrived(_fillingVersion, _filling!);
                _latestWeights = _fillingVersion;
                _filling = null;
            }
        }
        if (complete is not null) actor.Tell(complete);
    }

    private FrameTarget OpenPartial(in Frame frame)
    {
        var node = new TreeNode(frame.Level, frame.Index);
        int segment = Segments.Of(frame.Offset, frame.Count, replica.ParameterCount);
        if (segment < 0) throw new FrameRefusedException($"frame {frame}: not a segment of a gradient ({replica.ParameterCount} values)");
        TreeAssembly? assembly;
        lock (_gate)
        {
            var deadline = DateTime.UtcNow + UnknownRoundWait;
            while (_newestRound < frame.Tag && DateTime.UtcNow < deadline) Monitor.Wait(_gate, deadline - DateTime.UtcNow);
            assembly = _assembly;
        }
        if (assembly is null || assembly.Round != frame.Tag) return FrameTarget.Drop;
        if (!assembly.Expects(node)) throw new FrameRefusedException($"frame {frame}: round {frame.Tag} expects no such tree node here");
        if (!assembly.Guard.TryEnter()) return FrameTarget.Drop;
        if (!assembly.Claim(node, segment))
        {
            assembly.Guard.Exit();
            return FrameTarget.Drop;
        }
        return new FrameTarget(assembly.BufferOf(node), frame.Offset, assembly);
    }

    /// <summary>Under the guard <see cref="OpenPartial"/> entered, so the round's buffers stay until the sums it starts are done.</summary>
    private static void CommitPartial(in Frame frame, FrameTarget target, bool landed)
    {
        var assembly = (TreeAssembly)target.Context!;
        var node = new TreeNode(frame.Level, frame.Index);
        int segment = (int)(frame.Offset / Segments.Floats);
        try
        {
            if (landed) assembly.MarkReady(node, segment);
            else assembly.Unclaim(node, segment);
        }
        finally
        {
            assembly.Guard.Exit();
        }
    }
}
