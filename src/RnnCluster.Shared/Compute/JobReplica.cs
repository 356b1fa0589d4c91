using RnnCluster.Shared.Protocol;

namespace RnnCluster.Shared.Compute;

/// <summary>
/// A worker's copy of one job: what to compute, the dataset (filled from the data plane), and the weights of the
/// latest complete version. The actor reads it only after the data plane has said a part is complete. This is
/// where a request from the coordinator is accepted or refused: it must name groups and samples that exist (the
/// data plane refuses a tensor segment that does not fit, see <see cref="DataPlane.WorkerInbox"/>). Each check
/// returns the reason a request is refused, or null.
/// </summary>
public sealed class JobReplica
{
    private readonly float[][] _data;
    private readonly ReadOnlyMemory<float>[] _mapped = new ReadOnlyMemory<float>[Enum.GetValues<DataPart>().Length];

    /// <param name="stateWidth">The floats of one sample's carried state for a stateful job (the network's StateWidth), else 0.</param>
    public JobReplica(StartJob job, int parameterCount, int stateWidth = 0)
    {
        Job = job;
        StateWidth = stateWidth;
        _data = Enum.GetValues<DataPart>().Select(part => new float[job.Shape.Length(part)]).ToArray();
        Weights = new float[parameterCount];
    }

    public StartJob Job { get; }

    public int ParameterCount => Weights.Length;

    public int StateWidth { get; }

    /// <summary>The weights of <see cref="WeightsVersion"/>; replaced, not written, when a new version is complete.</summary>
    public float[] Weights { get; private set; }

    /// <summary>The version whose segments have all arrived, or -1.</summary>
    public long WeightsVersion { get; private set; } = -1;

    public bool HasAllData { get; private set; }

    /// <summary>The samples fetched for this job's shards when this node has no copy of its data file (<see cref="DataShape.Fetched"/>); null otherwise.</summary>
    public SampleCache? Samples { get; init; }

    /// <summary>A part of the dataset: what came on the data plane, or x and y mapped from this node's copy of the file (<see cref="MapData"/>).</summary>
    public ReadOnlyMemory<float> Data(DataPart part) => _mapped[(int)part].IsEmpty ? _data[(int)part] : _mapped[(int)part];

    /// <summary>The buffer a data-plane frame of <paramref name="part"/> lands in.</summary>
    public float[] Received(DataPart part) => _data[(int)part];

    /// <summary>
    /// Maps x and y from this node's copy of the job's file (<see cref="DataShape.Mapped"/>): the same path as the
    /// coordinator's, which must hold the same bytes (its SHA-256). Returns why it does not, naming the file, or null.
    /// </summary>
    public string? MapData()
    {
        if (Job.Shape.Mapped is not { } mapped) return null;
        string sha256 = FileHash.Sha256(mapped.Path);
        if (sha256 != mapped.Sha256) return $"data: {mapped.Path} on this node is not the coordinator's file (SHA-256 {sha256[..12]}…, the coordinator's {mapped.Sha256[..12]}…)";
        var file = Rnn.Math.Weights.SafeTensors.Map(mapped.Path);
        var shape = Job.Shape;
        long xWidth = (long)shape.Timesteps * shape.InputSize;
        var (x, y) = (file.Get("x").Data, file.Get("y").Data);
        _mapped[(int)DataPart.TrainX] = x.Slice((int)(mapped.TrainFirst * xWidth), (int)(shape.TrainSamples * xWidth));
        _mapped[(int)DataPart.TrainY] = y.Slice(mapped.TrainFirst * shape.TargetsPerSample, shape.TrainSamples * shape.TargetsPerSample);
        if (shape.ValidationSamples > 0)
        {
            _mapped[(int)DataPart.ValidationX] = x.Slice((int)(mapped.ValidationFirst * xWidth), (int)(shape.ValidationSamples * xWidth));
            _mapped[(int)DataPart.ValidationY] = y.Slice(mapped.ValidationFirst * shape.TargetsPerSample, shape.ValidationSamples * shape.TargetsPerSample);
        }
        return null;
    }

    public void DataComplete() => HasAllData = true;

    /// <summary>Takes the buffer of a complete version; returns the one it replaces, for the next version to fill.</summary>
    public float[] SwapWeights(long version, float[] weights)
    {
        var previous = Weights;
        (Weights, WeightsVersion) = (weights, version);
        return previous;
    }

    /// <summary>Null when the request can be computed here as it is; else why it is refused.</summary>
    public string? Check(ComputeGradients request)
    {
        var (shape, groupSize) = (Job.Shape, Job.Job.GroupSize);
        if (request.Epoch < 0) return $"epoch {request.Epoch}";
        if (request.MinibatchSize < 1 || request.MinibatchSize > shape.TrainSamples)
            return $"a minibatch of {request.MinibatchSize} samples, the training data has {shape.TrainSamples}";
        if (request.GroupCount != (request.MinibatchSize + groupSize - 1) / groupSize)
            return $"{request.GroupCount} groups for {request.MinibatchSize} samples in groups of {groupSize}";
        if (Partition(request) is { } partition) return partition;
        if (Groups(request.FirstGroup, request.EndGroup, request.GroupCount) is { } groups) return groups;
        int expected = System.Math.Min(request.EndGroup * groupSize, request.MinibatchSize) - request.FirstGroup * groupSize;
        if (request.SampleIds.Length != expected)
            return $"{request.SampleIds.Length} sample ids for groups [{request.FirstGroup}, {request.EndGroup}), which hold {expected}";
        foreach (int id in request.SampleIds)
            if (id < 0 || id >= shape.TrainSamples) return $"sample id {id}, outside the {shape.TrainSamples} training samples";
        return States(request);
    }

    /// <summary>A stateful job's request carries a state row per sample; any other carries none.</summary>
    private string? States(ComputeGradients request)
    {
        bool stateful = Job.Job.Streams > 0;
        long expected = (long)request.SampleIds.Length * StateWidth;
        if (!stateful) return request.States is null ? null : $"states of {request.States.Length} floats for a job that is not stateful";
        if (request.States is null) return "no states for a stateful job";
        return request.States.Length == expected ? null : $"states of {request.States.Length} floats for {request.SampleIds.Length} samples of {StateWidth}";
    }

    /// <summary>Null when the request can be computed here as it is; else why it is refused.</summary>
    public string? Check(ComputeValidationLoss request)
    {
        var (samples, groupSize) = (Job.Shape.ValidationSamples, Job.Job.GroupSize);
        // A stateful job's validation groups are of streams: one per window, or the job's streams where there are fewer.
        int units = Job.Job.Streams > 0 ? System.Math.Min(Job.Job.Streams, samples) : samples;
        if (request.GroupCount != (units + groupSize - 1) / groupSize)
            return $"{request.GroupCount} groups for {units} validation {(Job.Job.Streams > 0 ? "streams" : "samples")} in groups of {groupSize}";
        return Groups(request.FirstGroup, request.EndGroup, request.GroupCount);
    }

    /// <summary>Null when the shard bounds run from group 0 to the group count, each shard not empty, with a holder each and the shard among them.</summary>
    private static string? Partition(ComputeGradients request)
    {
        var bounds = request.ShardBounds;
        bool ordered = bounds.Length >= 2 && bounds[0] == 0 && bounds[^1] == request.GroupCount;
        for (int k = 1; ordered && k < bounds.Length; k++) ordered = bounds[k] > bounds[k - 1];
        if (!ordered) return $"shard bounds [{string.Join(", ", bounds)}] for {request.GroupCount} groups";
        if (request.Holders.Length != bounds.Length - 1) return $"{request.Holders.Length} holders for {bounds.Length - 1} shards";
        return request.Shard >= 0 && request.Shard < request.Holders.Length ? null : $"shard {request.Shard} of {request.Holders.Length}";
    }

    private static string? Groups(int first, int end, int count)
        => count >= 1 && first >= 0 && first < end && end <= count ? null : $"groups [{first}, {end}) of {count}";
}
