using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Worker.Compute;

/// <summary>
/// Turns a shard into the partial sums of the fixed reduction tree: gathers the shard's samples, runs the
/// gradient engines (one per thread, each on a contiguous run of whole groups, so a group's gradient never
/// depends on the thread count), then sums the groups along the tree (ReductionTree.Cover and SumInPlace).
/// </summary>
public sealed class ShardComputer
{
    /// <summary>Validation runs in slices of this many groups per thread, so its activations stay small.</summary>
    private const int ValidationSliceGroups = 64;

    private readonly StartJob _job;
    private readonly GradientEngine[] _engines;
    private readonly List<float[]> _gradients = new();

    public ShardComputer(StartJob job, int threads)
    {
        _job = job;
        var network = new Network(job.Job.ParseModel());
        _engines = Enumerable.Range(0, System.Math.Max(1, threads))
            .Select(_ => new GradientEngine(network, job.Job.Loss, job.Job.TruncatedBptt))
            .ToArray();
    }

    public int ParameterCount => _engines[0].Network.ParameterCount;

    /// <summary>The shard's partial sums; each gradient buffer is scratch, valid until the next call.</summary>
    public IReadOnlyList<(TreeNode Node, float[] Gradient, double Loss)> Gradients(JobReplica replica, ComputeGradients request)
    {
        var losses = new double[request.EndGroup - request.FirstGroup];
        float lossScale = 1f / (_engines[0].LossTermsPerSample(_job.Shape.Timesteps) * request.MinibatchSize);
        var dropout = new DropoutKey(_job.Job.Seed, request.Epoch);
        Run(replica, DataPart.TrainX, DataPart.TrainY, request.SampleIds, losses, (engine, weights, shard, first, count) =>
            engine.ComputeGroups(weights, shard, _job.Job.GroupSize, lossScale, dropout,
                _gradients.GetRange(first, count), losses.AsSpan(first, count)));

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
        int groupSize = _job.Job.GroupSize, samples = _job.Shape.ValidationSamples;
        int groups = request.EndGroup - request.FirstGroup;
        var losses = new double[groups];
        int sliceGroups = ValidationSliceGroups * _engines.Length;
        for (int slice = 0; slice < groups; slice += sliceGroups)
        {
            int count = System.Math.Min(sliceGroups, groups - slice);
            int firstSample = (request.FirstGroup + slice) * groupSize;
            int endSample = System.Math.Min((request.FirstGroup + slice + count) * groupSize, samples);
            var ids = Enumerable.Range(firstSample, endSample - firstSample).ToArray();
            var sliceLosses = new double[count];
            Run(replica, DataPart.ValidationX, DataPart.ValidationY, ids, sliceLosses, (engine, weights, shard, first, count) =>
                engine.EvaluateGroups(weights, shard, groupSize, sliceLosses.AsSpan(first, count)));
            sliceLosses.CopyTo(losses, slice);
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

    private delegate void EngineCall(GradientEngine engine, float[] weights, ShardInput shard, int firstGroup, int groupCount);

    /// <summary>
    /// Splits the groups of <paramref name="sampleIds"/> (one per entry of <paramref name="losses"/>) into one
    /// contiguous run per thread and calls each thread's engine on its run's gathered samples.
    /// </summary>
    private void Run(JobReplica replica, DataPart xPart, DataPart yPart, int[] sampleIds, double[] losses, EngineCall call)
    {
        int groups = losses.Length, groupSize = _job.Job.GroupSize;
        while (_gradients.Count < groups) _gradients.Add(new float[ParameterCount]);
        int threads = System.Math.Min(_engines.Length, groups);
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            int first = groups * t / threads, end = groups * (t + 1) / threads;
            var ids = sampleIds[(first * groupSize)..System.Math.Min(end * groupSize, sampleIds.Length)];
            call(_engines[t], replica.Weights, Gather(replica, xPart, yPart, ids), first, end - first);
        });
    }

    private ShardInput Gather(JobReplica replica, DataPart xPart, DataPart yPart, int[] sampleIds)
        => ShardInput.Gather(replica.Data(xPart), replica.Data(yPart), _job.Shape.Timesteps, _job.Shape.InputSize,
            _job.Shape.TargetsPerSample, sampleIds);
}
