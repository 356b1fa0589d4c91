using RnnCluster.Worker.Protocol;

namespace RnnCluster.Worker.Compute;

/// <summary>
/// A worker's copy of one job: what to compute, the dataset (filled from the data plane), and the weights of the
/// latest complete version. The actor reads it only after the data plane has said a part is complete.
/// </summary>
public sealed class JobReplica
{
    private readonly float[][] _data;

    public JobReplica(StartJob job, int parameterCount)
    {
        Job = job;
        _data = Enum.GetValues<DataPart>().Select(part => new float[job.Shape.Length(part)]).ToArray();
        Weights = new float[parameterCount];
    }

    public StartJob Job { get; }

    public int ParameterCount => Weights.Length;

    /// <summary>The weights of <see cref="WeightsVersion"/>; replaced, not written, when a new version is complete.</summary>
    public float[] Weights { get; private set; }

    /// <summary>The version whose segments have all arrived, or -1.</summary>
    public long WeightsVersion { get; private set; } = -1;

    public bool HasAllData { get; private set; }

    public float[] Data(DataPart part) => _data[(int)part];

    public void DataComplete() => HasAllData = true;

    /// <summary>Takes the buffer of a complete version; returns the one it replaces, for the next version to fill.</summary>
    public float[] SwapWeights(long version, float[] weights)
    {
        var previous = Weights;
        (Weights, WeightsVersion) = (weights, version);
        return previous;
    }
}
