using Rnn.Math.Training;
using RnnCluster.Shared.DataPlane;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Shared.Compute;

/// <summary>
/// The samples a worker without a copy of the job's data file holds (<see cref="DataShape.Fetched"/>): the rows of the
/// shards it computes and of the shard it is likely to compute next, never the dataset. A fetch names the rows not
/// held yet and asks the coordinator for them (<see cref="FetchSamples"/>); they come on the data plane into a block of
/// their own, packed in the order asked for (<see cref="FrameKind.Samples"/>, read from the socket straight into the
/// block's arrays). <see cref="ReadAhead"/> drops every block none of whose rows the request in hand or the next one
/// names (nor the other set's read-ahead: the next epoch's first shard, fetched before validation, outlives it), so
/// the cache holds a few shards' rows at most. Gathering copies the rows out in the request's order, so a shard's
/// input is the same floats, and its gradients the same bits, as from a whole copy of the data; how long compute
/// waited for rows is counted (<see cref="Waits"/>).
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
    private readonly IReadOnlyCollection<int>?[] _ahead = new IReadOnlyCollection<int>?[2];
    private long _nextTicket;
    private SampleWaits _waits = new(0, 0, TimeSpan.Zero, TimeSpan.Zero);

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
    /// Between requests: drops every block none of whose rows are <paramref name="validation"/>'s <paramref name="inHand"/>
    /// or <paramref name="next"/>, or the other set's last read-ahead, then asks for whatever of the two is not held.
    /// </summary>
    public void ReadAhead(bool validation, IReadOnlyCollection<int>? inHand, IReadOnlyCollection<int>? next)
    {
        lock (_gate)
        {
            _ahead[validation ? 1 : 0] = next;
            var used = new HashSet<Block>();
            void Use(bool set, IReadOnlyCollection<int>? ids)
            {
                foreach (int id in ids ?? [])
                    if (_rows.TryGetValue(Key(set, id), out var row)) used.Add(row.Block);
            }
            Use(validation, inHand);
            Use(validation, next);
            Use(!validation, _ahead[validation ? 0 : 1]);
            foreach (var (ticket, block) in _blocks.Where(b => !used.Contains(b.Value)).ToList()) Drop(ticket, block);
        }
        Fetch(validation, inHand);
        Fetch(validation, next);
    }

    /// <summary>
    /// Asks for the rows of <paramref name="sampleIds"/> not held, as this set's read-ahead, which a <see cref="ReadAhead"/>
    /// of the other set keeps: a validation shard's first slice read ahead at an epoch's last step.
    /// </summary>
    public void Ahead(bool validation, IReadOnlyCollection<int> sampleIds)
    {
        lock (_gate) _ahead[validation ? 1 : 0] = sampleIds;
        Fetch(validation, sampleIds);
    }

    /// <summary>
    /// Drops the blocks all of whose rows are among <paramref name="sampleIds"/> (of the validation set when
    /// <paramref name="validation"/>): rows gathered and of no more use, as a stateful validation's windows are once read.
    /// </summary>
    public void Release(bool validation, int[] sampleIds)
    {
        lock (_gate)
        {
            var done = sampleIds.Select(id => Key(validation, id)).ToHashSet();
            foreach (var (ticket, block) in _blocks.Where(b => b.Value.Keys.All(done.Contains)).ToList()) Drop(ticket, block);
        }
    }

    /// <summary>How often, and how long, gathers have waited for rows so far.</summary>
    public SampleWaits Waits
    {
        get
        {
            lock (_gate) return _waits;
        }
    }

    /// <summary>Counts a wait for rows that did not go through <see cref="Gather"/> (a request held until its shard came).</summary>
    public void Waited(TimeSpan wait)
    {
        lock (_gate) _waits = _waits.With(wait, gathered: false);
    }

    private void Drop(long ticket, Block block)
    {
        _blocks.Remove(ticket);
        foreach (long key in block.Keys) _rows.Remove(key);
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
            // ReadAhead runs between requests, never beside a gather, and Release drops only rows gathered: what Fetch
            // found or asked for stays until it lands.
            long start = System.Diagnostics.Stopwatch.GetTimestamp();
            bool waited = false;
            var deadline = DateTime.UtcNow + Patience;
            for (int i = 0; i < sampleIds.Length; i++)
            {
                rows[i] = _rows[Key(validation, sampleIds[i])];
                while (rows[i].Block.Missing > 0)
                {
                    waited = true;
                    var left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero || !Monitor.Wait(_gate, left))
                        throw new SamplesUnavailableException($"the samples of a shard of {sampleIds.Length} did not come from the coordinator within {Patience.TotalSeconds:0} s");
                }
            }
            _waits = _waits.With(waited ? System.Diagnostics.Stopwatch.GetElapsedTime(start) : TimeSpan.Zero, gathered: true);
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

/// <summary>
/// How compute waited for fetched rows: <paramref name="Gathers"/> shards (or validation slices, or windows) gathered,
/// <paramref name="Waits"/> of them, or of the requests held until their shard came, after waiting, <paramref name="Total"/>
/// in all and <paramref name="Longest"/> at most.
/// </summary>
public sealed record SampleWaits(int Gathers, int Waits, TimeSpan Total, TimeSpan Longest)
{
    /// <summary>These and one more gather (when <paramref name="gathered"/>) that waited <paramref name="wait"/> (none when zero).</summary>
    public SampleWaits With(TimeSpan wait, bool gathered) => new(
        Gathers + (gathered ? 1 : 0), Waits + (wait > TimeSpan.Zero ? 1 : 0), Total + wait, wait > Longest ? wait : Longest);
}

/// <summary>A shard's fetched samples did not come in time: the shard is given up, and the coordinator gives it to another worker.</summary>
public sealed class SamplesUnavailableException(string message) : Exception(message);
