using Rnn.Math.Losses;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Shared.Compute;

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

    /// <summary>Computes <paramref name="job"/>'s shards with its <paramref name="network"/> (built once by the worker) on <paramref name="threads"/> engines.</summary>
    public ShardComputer(StartJob job, Network network, int threads)
    {
        _job = job;
        _engines = Enumerable.Range(0, System.Math.Max(1, threads))
            .Select(_ => new GradientEngine(network, job.Job.Loss, job.Job.TruncatedBptt))
            .ToArray();
    }

    public int ParameterCount => _engines[0].Network.ParameterCount;

    /// <summary>
    /// What a worker needs to hold a job (<paramref name="training"/>, whose model is <paramref name="network"/>, on data of <paramref name="shape"/>) with <paramref name="threads"/> engines, before any of
    /// it is allocated: the weights, one gradient per group of a whole minibatch (a worker may be left to compute
    /// one alone), each engine's buffers and gathered samples for its part of a training shard or of a validation
    /// slice, whichever is larger, and the dataset, or the samples fetched for its shards where it has no copy. Throws <see cref="Rnn.Math.InputException"/> for a model
    /// whose tensors could not be arrays at all.
    /// </summary>
    public static MemoryEstimate Memory(Network network, WorkerJob training, DataShape shape, int threads)
    {
        var engine = new GradientEngine(network, training.Loss, training.TruncatedBptt);
        int engines = System.Math.Max(1, threads), groupSize = training.GroupSize;
        int minibatch = System.Math.Min(training.BatchSize, shape.TrainSamples);
        int groups = (minibatch + groupSize - 1) / groupSize;
        double trainSamples = System.Math.Min((double)((groups + engines - 1) / engines) * groupSize, minibatch);
        double validationSamples = System.Math.Min((double)ValidationSliceGroups * groupSize, shape.ValidationSamples);
        var buffers = ShardBuffers(engine, shape, trainSamples, training: true).ToList();
        var validation = validationSamples > 0 ? ShardBuffers(engine, shape, validationSamples, training: false).ToList() : [];
        double perEngine = System.Math.Max(buffers.Sum(b => b.Floats), validation.Sum(b => b.Floats));

        const double bytes = sizeof(float);
        double parameters = network.ParameterCount;
        double data = Enum.GetValues<DataPart>().Sum(part => (double)shape.Length(part));
        // Samples fetched instead (SampleCache): the blocks of the shard in hand and of the next (two blocks may hold
        // the next one's rows), each as large as a minibatch at most, and through validation the slice in hand and the
        // next beside the next epoch's first shard.
        if (shape.Fetched)
            data += 4 * System.Math.Max(minibatch, validationSamples * engines)
                    * ((double)shape.Timesteps * shape.InputSize + shape.TargetsPerSample + (shape.HasLengths ? 1 : 0));
        var arrays = buffers.Concat(validation)
            .Select(b => new LongestArray(b.Layer < 0 ? "a shard's output gradient" : $"a shard buffer of model.layers[{b.Layer}]", b.Floats, MemoryKind.Activations))
            .Append(new LongestArray("the parameters", parameters, MemoryKind.Parameters))
            .Append(new LongestArray("the training inputs", shape.Length(DataPart.TrainX), MemoryKind.Data));
        return new MemoryEstimate(
        [
            new("weights", parameters * bytes, MemoryKind.Parameters),
            new($"gradients of {groups} group{(groups == 1 ? "" : "s")}", groups * parameters * bytes, MemoryKind.Parameters),
            new("activations", engines * perEngine * bytes, MemoryKind.Activations),
            new("data", data * bytes, MemoryKind.Data),
        ], arrays.MaxBy(a => a.Values)!);
    }

    /// <summary>An engine's buffers for a pass over <paramref name="samples"/>, and the samples gathered for it (x, y).</summary>
    private static IEnumerable<(int Layer, double Floats)> ShardBuffers(GradientEngine engine, DataShape shape, double samples, bool training)
        => engine.Buffers(samples, shape.Timesteps, training)
            .Append((-1, samples * shape.Timesteps * shape.InputSize))
            .Append((-1, samples * shape.TargetsPerSample));

    /// <summary>
    /// The shard's partial sums; each gradient buffer is scratch, valid until the next call. A stateful job's shard
    /// starts from the request's states and gives the states its samples ended with (a new array: it leaves with
    /// the answer); null otherwise.
    /// </summary>
    public (IReadOnlyList<(TreeNode Node, float[] Gradient, LossSums Sums)> Partials, float[]? States) Gradients(JobReplica replica, ComputeGradients request)
    {
        var losses = new LossSums[request.EndGroup - request.FirstGroup];
        while (_gradients.Count < losses.Length) _gradients.Add(new float[ParameterCount]);
        long terms = request.LossTerms > 0 ? request.LossTerms : (long)_engines[0].LossTermsPerSample(_job.Shape.Timesteps) * request.MinibatchSize;
        float lossScale = 1f / terms;
        var dropout = new DropoutKey(_job.Job.Seed, request.Epoch);
        var states = request.States is null ? null : new float[request.States.Length];
        Run(replica, DataPart.TrainX, DataPart.TrainY, DataPart.TrainLengths, request.SampleIds, losses, (engine, weights, shard, first, count) =>
        {
            int firstSample = first * _job.Job.GroupSize, width = engine.StateWidth;
            var shardFromState = states is null ? shard : shard with { State = request.States![(firstSample * width)..((firstSample + shard.Count) * width)] };
            engine.ComputeGroups(weights, shardFromState, _job.Job.GroupSize, lossScale, dropout,
                _gradients.GetRange(first, count), losses.AsSpan(first, count));
            if (states is not null) engine.SaveState(states.AsSpan(firstSample * width, shard.Count * width), shard.Count);
        });

        var partials = new List<(TreeNode, float[], LossSums)>();
        foreach (var node in ReductionTree.Cover(request.FirstGroup, request.EndGroup, request.GroupCount))
        {
            ReductionTree.SumInPlace(node, request.GroupCount, _gradients, losses, request.FirstGroup);
            int leaf = node.FirstGroup - request.FirstGroup;
            partials.Add((node, _gradients[leaf], losses[leaf]));
        }
        return (partials, states);
    }

    /// <summary>The loss and metric sums of the shard's tree nodes over the validation set, without dropout.</summary>
    public PartialSum[] ValidationLoss(JobReplica replica, ComputeValidationLoss request)
    {
        var losses = _job.Job.Streams > 0 ? StreamValidationLosses(replica, request) : ValidationLosses(replica, request);
        var noGradients = Enumerable.Repeat(Array.Empty<float>(), losses.Length).ToArray();
        return ReductionTree.Cover(request.FirstGroup, request.EndGroup, request.GroupCount)
            .Select(node =>
            {
                ReductionTree.SumInPlace(node, request.GroupCount, noGradients, losses, request.FirstGroup);
                return new PartialSum(node.Level, node.Index, losses[node.FirstGroup - request.FirstGroup]);
            })
            .ToArray();
    }

    /// <summary>Each group's sums over its validation samples, in slices of <see cref="ValidationSliceGroups"/> groups per thread.</summary>
    private LossSums[] ValidationLosses(JobReplica replica, ComputeValidationLoss request)
    {
        int groups = request.EndGroup - request.FirstGroup, groupSize = _job.Job.GroupSize;
        var losses = new LossSums[groups];
        int sliceGroups = ValidationSliceGroups * _engines.Length;
        for (int slice = 0; slice < groups; slice += sliceGroups)
        {
            int count = System.Math.Min(sliceGroups, groups - slice);
            var ids = ValidationSlice(request, slice);
            // A worker that fetches its samples keeps this slice's and asks for the next one's while it computes.
            var next = ValidationSlice(request, slice + sliceGroups);
            replica.Samples?.ReadAhead(validation: true, ids, next);
            var sliceLosses = new LossSums[count];
            Run(replica, DataPart.ValidationX, DataPart.ValidationY, DataPart.ValidationLengths, ids, sliceLosses, (engine, weights, shard, first, count) =>
                engine.EvaluateGroups(weights, shard, groupSize, sliceLosses.AsSpan(first, count)));
            sliceLosses.CopyTo(losses, slice);
        }
        return losses;
    }

    /// <summary>
    /// A stateful job's validation: the groups are of validation streams (<see cref="StreamLayout"/> over the validation
    /// windows), each group read window by window, every stream from a zero state carried from its window to the next;
    /// a group's sums add its windows' in order, so they are the same bits on any worker. Groups run on the engines in
    /// contiguous runs, one per thread.
    /// </summary>
    private LossSums[] StreamValidationLosses(JobReplica replica, ComputeValidationLoss request)
    {
        int samples = _job.Shape.ValidationSamples, groupSize = _job.Job.GroupSize;
        var streams = new StreamLayout(samples, System.Math.Min(_job.Job.Streams, samples));
        var losses = new LossSums[request.EndGroup - request.FirstGroup];
        int threads = System.Math.Min(_engines.Length, losses.Length);
        void RunThread(int t)
        {
            for (int g = losses.Length * t / threads; g < losses.Length * (t + 1) / threads; g++)
            {
                int firstStream = (request.FirstGroup + g) * groupSize, endStream = System.Math.Min(firstStream + groupSize, streams.Count);
                losses[g] = StreamPasses.Evaluate(_engines[t], replica.Weights, streams, firstStream, endStream,
                    (ids, next) => GatherWindow(replica, ids, next));
            }
        }
        if (threads == 1) RunThread(0);
        else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, RunThread);
        return losses;
    }

    private delegate void EngineCall(GradientEngine engine, float[] weights, ShardInput shard, int firstGroup, int groupCount);

    /// <summary>
    /// Splits the groups of <paramref name="sampleIds"/> (one per entry of <paramref name="losses"/>) into one
    /// contiguous run per thread and calls each thread's engine on its run's gathered samples.
    /// </summary>
    private void Run(JobReplica replica, DataPart xPart, DataPart yPart, DataPart lengthsPart, int[] sampleIds, LossSums[] losses, EngineCall call)
    {
        int groups = losses.Length, groupSize = _job.Job.GroupSize;
        int threads = System.Math.Min(_engines.Length, groups);
        // A shard's samples from a mapped file: their pages asked for in one batch (docs/PERFORMANCE.md).
        Rnn.Math.Weights.SafeTensors.Prefetch(replica.Data(xPart), sampleIds, _job.Shape.Timesteps * _job.Shape.InputSize);
        Rnn.Math.Weights.SafeTensors.Prefetch(replica.Data(yPart), sampleIds, _job.Shape.TargetsPerSample);
        void RunThread(int t)
        {
            int first = groups * t / threads, end = groups * (t + 1) / threads;
            var ids = sampleIds[(first * groupSize)..System.Math.Min(end * groupSize, sampleIds.Length)];
            call(_engines[t], replica.Weights, Gather(replica, xPart, yPart, lengthsPart, ids), first, end - first);
        }

        // One thread needs none of Parallel.For's task set-up: it computes on the actor's thread.
        if (threads == 1) RunThread(0);
        else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, RunThread);
    }

    /// <summary>
    /// Where a worker that fetches its samples (<see cref="JobReplica.Samples"/>) asks for them ahead of need, as
    /// <paramref name="request"/> arrives: its shard's and its next shard's (the coordinator names them), at an
    /// epoch's last step also its validation shard's first slice, or a validation request's first slice; the rows of
    /// neither are dropped. Later slices are read ahead slice by slice as validation runs.
    /// </summary>
    public void ReadAhead(JobReplica replica, IRoundMessage request)
    {
        if (replica.Samples is not { } samples) return;
        if (request is ComputeGradients gradients)
        {
            samples.ReadAhead(validation: false, gradients.SampleIds, gradients.NextSampleIds);
            if (gradients.NextValidation is { } next && _job.Job.Streams == 0)
                samples.Ahead(validation: true, ValidationSlice(next.FirstGroup, next.EndGroup, 0));
        }
        else if (request is ComputeValidationLoss validation && _job.Job.Streams == 0)
        {
            samples.ReadAhead(validation: true, ValidationSlice(validation, 0), null);
        }
    }

    /// <summary>
    /// Whether <paramref name="request"/> can be computed without waiting for samples: always, but on a worker that
    /// fetches them, where its shard's (or a validation request's first slice's) must have come.
    /// </summary>
    public bool HasSamples(JobReplica replica, IRoundMessage request) => replica.Samples is not { } samples || request switch
    {
        ComputeGradients gradients => samples.Holds(validation: false, gradients.SampleIds),
        ComputeValidationLoss validation when _job.Job.Streams == 0 => samples.Holds(validation: true, ValidationSlice(validation, 0)),
        _ => true,
    };

    /// <summary>The validation samples of the slice of <paramref name="request"/>'s groups that starts <paramref name="slice"/> groups in; empty past its end.</summary>
    private int[] ValidationSlice(ComputeValidationLoss request, int slice) => ValidationSlice(request.FirstGroup, request.EndGroup, slice);

    /// <summary>The validation samples of the slice of groups [<paramref name="firstGroup"/>, <paramref name="endGroup"/>) that starts <paramref name="slice"/> groups in; empty past its end.</summary>
    private int[] ValidationSlice(int firstGroup, int endGroup, int slice)
    {
        int groupSize = _job.Job.GroupSize, groups = endGroup - firstGroup;
        if (slice >= groups || firstGroup < 0) return [];
        int count = System.Math.Min(ValidationSliceGroups * _engines.Length, groups - slice);
        long firstSample = (long)(firstGroup + slice) * groupSize;
        long endSample = System.Math.Min((long)(firstGroup + slice + count) * groupSize, _job.Shape.ValidationSamples);
        return firstSample < endSample ? Enumerable.Range((int)firstSample, (int)(endSample - firstSample)).ToArray() : [];
    }

    /// <summary>
    /// A stateful validation's window of streams: on a worker that fetches its samples, the next window's are asked
    /// for before this one is gathered, and this one's let go once gathered, so a stream's windows come one ahead.
    /// </summary>
    private ShardInput GatherWindow(JobReplica replica, int[] ids, int[]? next)
    {
        if (replica.Samples is not { } samples) return Gather(replica, DataPart.ValidationX, DataPart.ValidationY, DataPart.ValidationLengths, ids);
        samples.Fetch(validation: true, next);
        var window = samples.Gather(validation: true, ids);
        samples.Release(validation: true, ids);
        return window;
    }

    private ShardInput Gather(JobReplica replica, DataPart xPart, DataPart yPart, DataPart lengthsPart, int[] sampleIds)
        => replica.Samples is { } samples
            ? samples.Gather(xPart == DataPart.ValidationX, sampleIds)
            : ShardInput.Gather(replica.Data(xPart).Span, replica.Data(yPart).Span, _job.Shape.Timesteps, _job.Shape.InputSize,
            _job.Shape.TargetsPerSample, sampleIds, replica.Data(lengthsPart).Span);
}
