using Rnn.Math.Training;
using RnnCluster.Shared.DataPlane;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Shared.Compute;

/// <summary>
/// The samples a worker without a copy of the job's data file holds (<see cref="DataShape.Fetched"/>): the rows of the
/// shards it computes and of the shard it is likely to compute next, never the dataset. A fetch names the rows not
/// held yet and asks the coordinator for them (<see cref="FetchSamples"/>); they come on the data plane into a block of
/// their own, packed in the order asked for (<see cref="FrameKind.Samples"/>, read from the socket straight into the
/// block's arrays). <see cref="Keep"/> drops every block none of whose rows the request in hand or the next one
/// names, so the cache holds a few shards' rows at most. Gathering copies the rows out in the request's order, so a
/// shard's input is the same floats, and its gradients the same bits, as from a whole copy of the data.
/// <c>ask</c> sends a fetch to the coordinator; <c>landed</c> hears of every fetch whose rows have all come.
/// </summary>
public sealed class SampleCache(StartJob job, Action<FetchSamples> ask, Action landed)
{
    /// <summary>How long a shard waits for its samples before it is given up (the coordinator gives it to another worker).</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly object _gate = new();
    private readonly Dictionary<long, (Block Block, int Row)> _rows = new();
    private readonly Dictionary<long, Block> _blocks = new();
    private readonly int _xWidth = job.Shape.Timesteps * job.Shape.InputSize;
    private long _nextTicket;

    private sealed class Block
    {
        public required bool Validation { get; init; }

        public required long[] Keys { get; init; }

        /// <summary>x, y and lengths of the rows, each packed in the order of <see cref="Keys"/>.</summary>
        public required float[][] Parts { get; init; }

        /// <summary>Which segments of each part have landed.</summary>
        public required bool[][] Landed { get; init; }

        public int Missing;
    }

    /// <summary>Rows held or on their way now.</summary>
    public int Rows
    {
        get
        {
            lock (_gate) return _rows.Count;
        }
    }

    /// <summary>
    /// Asks for the rows of <paramref name="sampleIds"/> (of the validation set when <paramref name="validation"/>) that
    /// are neither held nor on their way, in one fetch; does not wait for them.
    /// </summary>
    public void Fetch(bool validation, IReadOnlyCollection<int>? sampleIds)
    {
        if (sampleIds is null || sampleIds.Count == 0) return;
        FetchSamples? request = null;
        lock (_gate)
        {
            var missing = sampleIds.Where(id => !_rows.ContainsKey(Key(validation, id))).Distinct().ToArray();
            if (missing.Length > 0)
            {
                long ticket = _nextTicket++;
                var block = NewBlock(validation, missing);
                _blocks[ticket] = block;
                for (int row = 0; row < missing.Length; row++) _rows[block.Keys[row]] = (block, row);
                request = new FetchSamples(job.JobId, ticket, validation, missing);
            }
        }
        if (request is not null) ask(request);
    }

    /// <summary>
    /// Drops every block none of whose rows <paramref name="validation"/>'s <paramref name="sampleIds"/> name (rows of the
    /// other set included): what is neither in hand nor next.
    /// </summary>
    public void Keep(bool validation, params IReadOnlyCollection<int>?[] sampleIds)
    {
        lock (_gate)
        {
            var used = new HashSet<Block>();
            foreach (var ids in sampleIds)
                foreach (int id in ids ?? [])
                    if (_rows.TryGetValue(Key(validation, id), out var row)) used.Add(row.Block);
            foreach (var (ticket, block) in _blocks.Where(b => !used.Contains(b.Value)).ToList())
            {
                _blocks.Remove(ticket);
                foreach (long key in block.Keys) _rows.Remove(key);
            }
        }
    }

    /// <summary>Whether every row of <paramref name="sampleIds"/> is here: a gather of them does not wait.</summary>
    public bool Holds(bool validation, IEnumerable<int> sampleIds)
    {
        lock (_gate) return sampleIds.All(id => _rows.TryGetValue(Key(validation, id), out var row) && row.Block.Missing == 0);
    }

    /// <summary>
    /// The shard of <paramref name="sampleIds"/>, in that order, once every row of it has landed: fetched first where
    /// it is not held. Throws <see cref="SamplesUnavailableException"/> after <see cref="Patience"/> without them.
    /// </summary>
    public ShardInput Gather(bool validation, int[] sampleIds)
    {
        Fetch(validation, sampleIds);
        var rows = new (Block Block, int Row)[sampleIds.Length];
        lock (_gate)
        {
            // Keep runs between requests, never beside a gather: what Fetch found or asked for stays until it lands.
            var deadline = DateTime.UtcNow + Patience;
            for (int i = 0; i < sampleIds.Length; i++)
            {
                rows[i] = _rows[Key(validation, sampleIds[i])];
                while (rows[i].Block.Missing > 0)
                {
                    var left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left))
                        throw new SamplesUnavailableException($"the samples of a shard of {sampleIds.Length} did not come from the coordinator within {Patience.TotalSeconds:0} s");
                }
            }
        }
        var shape = job.Shape;
        var (x, y) = (new float[sampleIds.Length * _xWidth], new float[sampleIds.Length * shape.TargetsPerSample]);
        var lengths = shape.HasLengths ? new int[sampleIds.Length] : null;
        for (int i = 0; i < rows.Length; i++)
        {
            var (block, row) = rows[i];
            block.Parts[0].AsSpan(row * _xWidth, _xWidth).CopyTo(x.AsSpan(i * _xWidth));
            block.Parts[1].AsSpan(row * shape.TargetsPerSample, shape.TargetsPerSample).CopyTo(y.AsSpan(i * shape.TargetsPerSample));
            if (lengths is not null) lengths[i] = (int)block.Parts[2][row];
        }
        return new ShardInput(x, y, sampleIds, sampleIds.Length, shape.Timesteps) { Lengths = lengths };
    }

    /// <summary>Where a <see cref="FrameKind.Samples"/> frame lands: in its fetch's block; dropped when the block was dropped.</summary>
    public FrameTarget Open(in Frame frame)
    {
        lock (_gate)
        {
            if (!_blocks.TryGetValue(frame.Tag, out var block)) return FrameTarget.Drop;
            int part = PartIndex(frame, block);
            int segment = Segments.Of(frame.Offset, frame.Count, block.Parts[part].Length);
            if (segment < 0) throw new FrameRefusedException($"frame {frame}: not a segment of the {block.Parts[part].Length} values of fetch {frame.Tag}'s {(DataPart)frame.Part}");
            return block.Landed[part][segment] ? FrameTarget.Drop : new FrameTarget(block.Parts[part], frame.Offset, block);
        }
    }

    public void Commit(in Frame frame, FrameTarget target, bool isIn)
    {
        if (!isIn) return;
        lock (_gate)
        {
            var block = (Block)target.Context!;
            ref bool seen = ref block.Landed[PartIndex(frame, block)][(int)(frame.Offset / Segments.Floats)];
            if (seen) return;
            seen = true;
            if (--block.Missing > 0) return;
            Monitor.PulseAll(_gate);
        }
        landed();
    }

    /// <summary>The index in a block's parts (x, y, lengths) of the frame's part, which must be of the block's set.</summary>
    private static int PartIndex(in Frame frame, Block block)
    {
        int index = DataParts.Of(block.Validation).IndexOf((DataPart)frame.Part);
        return index >= 0 ? index : throw new FrameRefusedException($"frame {frame}: fetch {frame.Tag} is of the {(block.Validation ? "validation" : "training")} samples");
    }

    private Block NewBlock(bool validation, int[] ids)
    {
        var shape = job.Shape;
        float[][] parts = [new float[ids.Length * _xWidth], new float[ids.Length * shape.TargetsPerSample], new float[shape.HasLengths ? ids.Length : 0]];
        var landed = parts.Select(p => new bool[Segments.Count(p.Length)]).ToArray();
        return new Block
        {
            Validation = validation,
            Keys = ids.Select(id => Key(validation, id)).ToArray(),
            Parts = parts,
            Landed = landed,
            Missing = landed.Sum(l => l.Length),
        };
    }

    private static long Key(bool validation, int id) => validation ? (1L << 32) | (uint)id : id;
}

/// <summary>A shard's fetched samples did not come in time: the shard is given up, and the coordinator gives it to another worker.</summary>
public sealed class SamplesUnavailableException(string message) : Exception(message);
