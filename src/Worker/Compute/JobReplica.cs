using RnnCluster.Worker.Protocol;

namespace RnnCluster.Worker.Compute;

/// <summary>
/// A worker's copy of one job: the dataset, filled chunk by chunk, and the weights of the latest version
/// broadcast. This is where a message from the coordinator is accepted or refused: a chunk must be one of the
/// slices <see cref="TensorChunks"/> cuts (a known part, an offset on the chunk grid inside the array, the
/// length that slice has), because completeness counts distinct slices and any other one would leave holes
/// unnoticed; a request must name the weights held and groups and samples that exist. Each check returns the
/// reason a message is refused, or null. A repeated chunk is taken again (a coordinator may resend).
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

    /// <summary>Places a slice of the dataset; null when taken, else why it was refused.</summary>
    public string? Add(DataChunk chunk)
    {
        if (!Enum.IsDefined(chunk.Part)) return $"DataChunk of data part {(byte)chunk.Part}, which does not exist";
        if (Misplaced(chunk.Offset, chunk.Values.Length, Job.Shape.Length(chunk.Part)) is { } why) return $"DataChunk of {chunk.Part}: {why}";
        chunk.Values.CopyTo(_data[(int)chunk.Part].AsSpan((int)chunk.Offset));
        _dataChunks.Add((chunk.Part, chunk.Offset));
        return null;
    }

    /// <summary>Places a slice of the weights of a version; null when taken, else why it was refused.</summary>
    public string? Add(WeightsChunk chunk)
    {
        if (chunk.Version < System.Math.Max(_filling, 0))
            return $"WeightsChunk of version {chunk.Version}, older than version {_filling} already arriving";
        if (Misplaced(chunk.Offset, chunk.Values.Length, Weights.Length) is { } why) return $"WeightsChunk of version {chunk.Version}: {why}";
        if (chunk.Version != _filling)
        {
            _filling = chunk.Version;
            _weightChunks.Clear();
            WeightsVersion = -1;
        }
        chunk.Values.CopyTo(Weights.AsSpan(chunk.Offset));
        _weightChunks.Add(chunk.Offset);
        if (_weightChunks.Count == ChunkCount(Weights.Length)) WeightsVersion = chunk.Version;
        return null;
    }

    /// <summary>Null when the request can be computed here as it is; else why it is refused.</summary>
    public string? Check(ComputeGradients request)
    {
        var (shape, groupSize) = (Job.Shape, Job.Training.GroupSize);
        if (Unready(request.WeightsVersion) is { } unready) return unready;
        if (request.Epoch < 0) return $"epoch {request.Epoch}";
        if (request.MinibatchSize < 1 || request.MinibatchSize > shape.TrainSamples)
            return $"a minibatch of {request.MinibatchSize} samples, the training data has {shape.TrainSamples}";
        if (request.GroupCount != (request.MinibatchSize + groupSize - 1) / groupSize)
            return $"{request.GroupCount} groups for {request.MinibatchSize} samples in groups of {groupSize}";
        if (Groups(request.FirstGroup, request.EndGroup, request.GroupCount) is { } groups) return groups;
        int expected = System.Math.Min(request.EndGroup * groupSize, request.MinibatchSize) - request.FirstGroup * groupSize;
        if (request.SampleIds.Length != expected)
            return $"{request.SampleIds.Length} sample ids for groups [{request.FirstGroup}, {request.EndGroup}), which hold {expected}";
        foreach (int id in request.SampleIds)
            if (id < 0 || id >= shape.TrainSamples) return $"sample id {id}, outside the {shape.TrainSamples} training samples";
        return null;
    }

    /// <summary>Null when the request can be computed here as it is; else why it is refused.</summary>
    public string? Check(ComputeValidationLoss request)
    {
        var (samples, groupSize) = (Job.Shape.ValidationSamples, Job.Training.GroupSize);
        if (Unready(request.WeightsVersion) is { } unready) return unready;
        if (request.GroupCount != (samples + groupSize - 1) / groupSize)
            return $"{request.GroupCount} groups for {samples} validation samples in groups of {groupSize}";
        return Groups(request.FirstGroup, request.EndGroup, request.GroupCount);
    }

    /// <summary>The coordinator sends the data and the weights before the request that needs them, and Akka keeps that order.</summary>
    private string? Unready(long version)
    {
        if (!HasAllData) return $"asked for weights {version} before the whole dataset arrived";
        return WeightsVersion == version ? null : $"asked for weights {version}, holds {WeightsVersion}";
    }

    private static string? Groups(int first, int end, int count)
        => count >= 1 && first >= 0 && first < end && end <= count ? null : $"groups [{first}, {end}) of {count}";

    /// <summary>Null when (offset, count) is the slice <see cref="TensorChunks.Split"/> cuts there from an array of <paramref name="length"/>.</summary>
    private static string? Misplaced(long offset, int count, long length)
    {
        if (offset < 0 || offset >= length) return $"offset {offset} lies outside its {length} values";
        if (offset % TensorChunks.ChunkFloats != 0) return $"offset {offset} is not a multiple of the chunk size {TensorChunks.ChunkFloats}";
        long expected = System.Math.Min(TensorChunks.ChunkFloats, length - offset);
        return count == expected ? null : $"{count} values at offset {offset}, expected {expected}";
    }

    private static long ChunkCount(long length) => (length + TensorChunks.ChunkFloats - 1) / TensorChunks.ChunkFloats;
}
