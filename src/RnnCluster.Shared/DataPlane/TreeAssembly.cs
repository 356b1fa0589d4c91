using System.Numerics.Tensors;
using Rnn.Math.Training;

namespace RnnCluster.Shared.DataPlane;

/// <summary>
/// One shard's part of a round's reduction tree, finished segment by segment as its pieces arrive: the shard's own
/// partial sums (its cover nodes, ready at once), and the nodes other shards send it (<see cref="TreeRoutes"/>),
/// which arrive segment by segment from the data plane. As soon as both halves of a node are in for a segment,
/// that segment of the node is summed (into its left half's buffer, as <see cref="ReductionTree"/> does) and the
/// walk goes on up; a segment of a node this shard sends on is handed to <see cref="Emit"/> at once, so a parent's
/// sum and its forwarding start with the first segments, not after whole tensors. Every node is the same addition
/// whoever performs it, so the bits do not depend on the split, the arrival order or the segment size.
/// Thread-safe: segments are marked under one lock; the additions run outside it, each by the one thread that
/// found both halves in.
/// </summary>
public sealed class TreeAssembly
{
    private readonly object _gate = new();
    private readonly int _groupCount;
    private readonly int _rootLevel;
    private readonly long _length;
    private readonly Func<TreeNode, bool> _owns;
    private readonly Dictionary<TreeNode, float[]> _buffers = new();
    private readonly HashSet<TreeNode> _outputs;
    private readonly Dictionary<TreeNode, bool[]> _ready = new();
    private readonly Dictionary<TreeNode, bool[]> _claimed = new();
    private readonly float[][] _incoming;

    /// <param name="round">The round whose sums these are.</param>
    /// <param name="groupCount">Groups in the round's minibatch.</param>
    /// <param name="length">Floats per partial sum: the parameter count.</param>
    /// <param name="owns">Whether this assembly sums a node (its shard holds the node's first group).</param>
    /// <param name="inputs">Nodes that arrive from elsewhere, each with the buffer it lands in.</param>
    /// <param name="outputs">Nodes that leave once summed; each segment of one is emitted as soon as it is ready.</param>
    /// <param name="emit">Called with (node, segment, the buffer holding the node) for every segment of every output.</param>
    public TreeAssembly(long round, int groupCount, long length, Func<TreeNode, bool> owns,
        IReadOnlyDictionary<TreeNode, float[]> inputs, IEnumerable<TreeNode> outputs, Action<TreeNode, int, float[]> emit)
    {
        Round = round;
        _groupCount = groupCount;
        _rootLevel = ReductionTree.RootLevel(groupCount);
        _length = length;
        _owns = owns;
        _outputs = outputs.ToHashSet();
        Emit = emit;
        _incoming = inputs.Values.ToArray();
        foreach (var (node, buffer) in inputs)
        {
            _buffers[node] = buffer;
            _claimed[node] = new bool[SegmentCount];
        }
    }

    public long Round { get; }

    /// <summary>The buffers the nodes from elsewhere land in, to be reused once the round is over.</summary>
    public IReadOnlyList<float[]> IncomingBuffers => _incoming;

    public int SegmentCount => Segments.Count(_length);

    /// <summary>Guards the buffers against the sends and receives still reading or writing them.</summary>
    public SendGuard Guard { get; } = new();

    private Action<TreeNode, int, float[]> Emit { get; }

    /// <summary>Whether <paramref name="node"/> is one this assembly expects from elsewhere.</summary>
    public bool Expects(TreeNode node) => _claimed.ContainsKey(node);

    /// <summary>
    /// Claims segment <paramref name="segment"/> of input <paramref name="node"/> for one writer; false when it is
    /// claimed already (a second copy of the same node: the first one wins).
    /// </summary>
    public bool Claim(TreeNode node, int segment)
    {
        lock (_gate)
        {
            var claimed = _claimed[node];
            if (claimed[segment]) return false;
            return claimed[segment] = true;
        }
    }

    /// <summary>A claimed segment whose payload never arrived (its connection broke) can be sent again.</summary>
    public void Unclaim(TreeNode node, int segment)
    {
        lock (_gate) _claimed[node][segment] = false;
    }

    /// <summary>The buffer a node's sum is in: its own when it arrived or was computed here, else its left half's.</summary>
    public float[] BufferOf(TreeNode node)
    {
        lock (_gate)
        {
            while (!_buffers.ContainsKey(node)) node = new TreeNode(node.Level - 1, node.Index * 2);
            return _buffers[node];
        }
    }

    /// <summary>The shard's own partial sums, all segments ready at once (after its compute).</summary>
    public void AddLocal(IEnumerable<(TreeNode Node, float[] Gradient)> partials)
    {
        var nodes = new List<TreeNode>();
        lock (_gate)
            foreach (var (node, gradient) in partials)
            {
                _buffers[node] = gradient;
                nodes.Add(node);
            }
        for (int segment = 0; segment < SegmentCount; segment++)
            foreach (var node in nodes)
                MarkReady(node, segment);
    }

    /// <summary>Segment <paramref name="segment"/> of <paramref name="node"/> is in place; sums and emits whatever it completes.</summary>
    public void MarkReady(TreeNode node, int segment)
    {
        while (true)
        {
            bool sum;
            TreeNode parent = node.Parent, left = new(node.Level, node.Index & ~1), right = new(node.Level, node.Index | 1);
            lock (_gate)
            {
                Ready(node)[segment] = true;
                if (_outputs.Contains(node) || node.Level >= _rootLevel || !_owns(parent))
                {
                    sum = false;
                    parent = node;
                }
                else if (right.FirstGroup >= _groupCount) sum = false;
                else if (!IsReady(node == left ? right : left, segment)) return;
                else sum = true;
            }
            if (parent == node)
            {
                if (_outputs.Contains(node)) Emit(node, segment, BufferOf(node));
                return;
            }
            if (sum)
            {
                var (offset, count) = Segments.Range(segment, _length);
                var sumInto = BufferOf(left).AsSpan(checked((int)offset), count);
                TensorPrimitives.Add(sumInto, BufferOf(right).AsSpan(checked((int)offset), count), sumInto);
            }
            node = parent;
        }
    }

    private bool[] Ready(TreeNode node)
    {
        if (!_ready.TryGetValue(node, out var ready)) _ready[node] = ready = new bool[SegmentCount];
        return ready;
    }

    private bool IsReady(TreeNode node, int segment) => _ready.TryGetValue(node, out var ready) && ready[segment];
}
