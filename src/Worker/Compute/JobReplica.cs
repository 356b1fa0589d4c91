using RnnCluster.Worker.Protocol;

namespace RnnCluster.Worker.Compute;

/// <summary>
/// A worker's copy of one job: the dataset, filled chunk by chunk, and the weights of the latest version
/// broadcast. Chunks may overlap or repeat (a coordinator may resend); completeness counts distinct chunks.
/// </summary>
public sealed class JobReplica
{
    private readonly float[][] _data;
    private readonly HashSet<(DataPart, long)> _dataChunks = new();
    private readonly long _expectedDataChunks;
    private readonly HashSet<int> _weightChunks = new();
    private long _filling = -1;

    public JobReplica(StartJob job, int parameterCount)
    {
        Job = job;
        _data = Enum.GetValues<DataPart>().Select(part => new float[job.Shape.Length(part)]).ToArray();
        _expectedDataChunks = Enum.GetValues<DataPart>().Sum(part => ChunkCount(job.Shape.Length(part)));
        Weights = new float[parameterCount];
    }

    public StartJob Job { get; }

    public float[] Weights { get; }

    /// <summary>The version whose chunks have all arrived, or -1.</summary>
    public long WeightsVersion { get; private set; } = -1;

    public bool HasAllData => _dataChunks.Count == _expectedDataChunks;

    public ReadOnlySpan<float> Data(DataPart part) => _data[(int)part];

    public void Add(DataChunk chunk)
    {
        chunk.Values.CopyTo(_data[(int)chunk.Part].AsSpan(checked((int)chunk.Offset)));
        _dataChunks.Add((chunk.Part, chunk.Offset));
    }

    public void Add(WeightsChunk chunk)
    {
        if (chunk.Version != _filling)
        {
            _filling = chunk.Version;
            _weightChunks.Clear();
            WeightsVersion = -1;
        }
        chunk.Values.CopyTo(Weights.AsSpan(chunk.Offset));
        _weightChunks.Add(chunk.Offset);
        if (_weightChunks.Count == ChunkCount(Weights.Length)) WeightsVersion = chunk.Version;
    }

    private static long ChunkCount(long length) => (length + TensorChunks.ChunkFloats - 1) / TensorChunks.ChunkFloats;
}
