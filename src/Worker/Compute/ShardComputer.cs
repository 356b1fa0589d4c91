using Rnn.Math.Training;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Worker.Compute;

/// <summary>
/// Turns a shard into the partial sums of the fixed reduction tree: gathers the shard's samples, runs the
/// engines (one per thread, each on a contiguous run of whole groups, so a group's gradient never depends on the
/// thread count), then sums the groups along the tree (ReductionTree.Cover and SumInPlace).
/// </summary>
public sealed class ShardComputer
{
    /// <summary>Validation runs in slices of this many groups per thread, so its gradient scratch stays small.</summary>
    private const int ValidationSliceGroups = 8;

    private readonly IGradientEngine[] _engines;
    private readonly List<float[]> _gradients = new();

    public ShardComputer(GradientEngineFactory factory, StartJob job, int threads)
    {
        _engines = Enumerable.Range(0, System.Math.Max(1, threads)).Select(_ => factory(job.Model, job.Training)).ToArray();
    }

    public int ParameterCount => _engines[0].ParameterCount;

    /// <summary>The shard's partial sums; each gradient buffer is the worker's scratch, valid until the next call.</summary>
    public IReadOnlyList<(TreeNode Node, float[] Gradient, double Loss)> Gradients(JobReplica replica, ComputeGradients request)
    {
        var job = replica.Job;
        var losses = new double[request.EndGroup - request.FirstGroup];
        float lossScale = 1f / (request.MinibatchSize * job.Shape.TargetsPerSample);
        var dropout = new DropoutKey(job.Training.Seed, request.Epoch);
        Run(replica, DataPart.TrainX, DataPart.TrainY, request.SampleIds, lossScale, dropout, losses);

        var partials = new List<(TreeNode, float[], double)>();
        foreach (var node in ReductionTree.Cover(request.FirstGroup, request.EndGroup, request.GroupCount))
        {
            ReductionTree.SumInPlace(node, request.GroupCount, _gradients, losses, request.FirstGroup);
            int leaf = node.FirstGroup - request.FirstGroup;
            partials.Add((node, _gradients[leaf], losses[leaf]));
        }
        return partials;
    }

    /// <summary>The loss sums of the shard's tree nodes over the validation set, without dropout.</summary>
    public PartialSum[] ValidationLoss(JobReplica replica, ComputeValidationLoss request)
    {
        var job = replica.Job;
        int groupSize = job.Training.GroupSize;
        int samples = job.Shape.ValidationSamples;
        int groups = request.EndGroup - request.FirstGroup;
        var losses = new double[groups];
        float lossScale = 1f / (samples * job.Shape.TargetsPerSample);
        int sliceGroups = ValidationSliceGroups * _engines.Length;
        for (int first = 0; first < groups; first += sliceGroups)
        {
            int count = System.Math.Min(sliceGroups, groups - first);
            int firstSample = (request.FirstGroup + first) * groupSize;
            int endSample = System.Math.Min((request.FirstGroup + first + count) * groupSize, samples);
            var ids = Enumerable.Range(firstSample, endSample - firstSample).ToArray();
            Run(replica, DataPart.ValidationX, DataPart.ValidationY, ids, lossScale, null, losses.AsSpan(first, count));
        }

        var noGradients = Enumerable.Repeat(Array.Empty<float>(), groups).ToArray();
        return ReductionTree.Cover(request.FirstGroup, request.EndGroup, request.GroupCount)
            .Select(node =>
            {
                ReductionTree.SumInPlace(node, request.GroupCount, noGradients, losses, request.FirstGroup);
                return new PartialSum(node.Level, node.Index, losses[node.FirstGroup - request.FirstGroup]);
            })
            .ToArray();
    }

    /// <summary>
    /// Runs the engines over the groups of <paramref name="sampleIds"/> (one group per entry of
    /// <paramref name="losses"/>), filling the first gradient buffers and <paramref name="losses"/>.
    /// </summary>
    private void Run(JobReplica replica, DataPart xPart, DataPart yPart, int[] sampleIds, float lossScale, DropoutKey? dropout, Span<double> losses)
    {
        int groups = losses.Length, groupSize = replica.Job.Training.GroupSize;
        while (_gradients.Count < groups) _gradients.Add(new float[ParameterCount]);
        int threads = System.Math.Min(_engines.Length, groups);
        var threadLosses = new double[groups];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int first = groups * t / threads, end = groups * (t + 1) / threads;
            var ids = sampleIds[(first * groupSize)..System.Math.Min(end * groupSize, sampleIds.Length)];
            _engines[t].ComputeGroups(
                replica.Weights, Gather(replica, xPart, yPart, ids), groupSize, lossScale, dropout,
                _gradients.GetRange(first, end - first), threadLosses.AsSpan(first, end - first));
        });
        threadLosses.CopyTo(losses);
    }

    private static ShardInput Gather(JobReplica replica, DataPart xPart, DataPart yPart, int[] sampleIds)
    {
        var shape = replica.Job.Shape;
        int xWidth = shape.Timesteps * shape.InputSize, yWidth = shape.TargetsPerSample;
        var x = new float[sampleIds.Length * xWidth];
        var y = new float[sampleIds.Length * yWidth];
        var allX = replica.Data(xPart);
        var allY = replica.Data(yPart);
        for (int i = 0; i < sampleIds.Length; i++)
        {
            allX.Slice(sampleIds[i] * xWidth, xWidth).CopyTo(x.AsSpan(i * xWidth));
            allY.Slice(sampleIds[i] * yWidth, yWidth).CopyTo(y.AsSpan(i * yWidth));
        }
        return new ShardInput(x, y, sampleIds, sampleIds.Length, shape.Timesteps);
    }
}
