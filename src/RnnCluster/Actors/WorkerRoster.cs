using System.Diagnostics;
using Akka.Actor;
using Rnn.Math.Training;
using RnnCluster.Coordinator.Training;
using RnnCluster.Shared.DataPlane;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// The coordinator's connections: the workers it knows, in the order they joined, each with its id in the job and
/// its data-plane endpoint once it answered the job; whether each holds the job's data, is reachable, is computing
/// a request (of which round), which weights it holds, how fast it has been and whether it refused the job; and how
/// the job (Akka), its data and each step's weights (the data plane) and each request (Akka) reach a worker. It
/// decides nothing about training. <paramref name="faults"/> are the test hook's (<see cref="TestFaults"/>),
/// committed here where the weights are sent.
/// </summary>
internal sealed class WorkerRoster(WorkerJob job, DataShape shape, TrainingJob data, Guid jobId, Guid token, DataPlaneNode plane,
    string coordinatorEndpoint, TestFaults faults)
{
    private readonly List<(IActorRef Worker, Link Link)> _workers = new();
    private readonly HashSet<IActorRef> _faulted = new();
    private int _nextId = StartJob.CoordinatorId + 1;

    private sealed class Link(int id)
    {
        public int Id { get; } = id;

        public string? Endpoint;
        public bool HasData;

        /// <summary>It has no copy of the data file and fetches its shards' samples (<see cref="SendSamples"/>).</summary>
        public bool Fetches;
        public bool Reachable = true;
        public long WeightsVersion = -1;

        /// <summary>The request it computes; null when it computes nothing.</summary>
        public Request? Computing;

        public readonly WorkerPace Pace = new();

        public bool RefusedJob;
    }

    /// <summary>A request a worker computes: of which round, how many samples, sent when (a <see cref="Stopwatch"/> timestamp).</summary>
    public readonly record struct Request(long Round, int Samples, long SentAt)
    {
        public TimeSpan Waited => Stopwatch.GetElapsedTime(SentAt);
    }

    /// <summary>Workers known, with or without the data.</summary>
    public int Count => _workers.Count;

    /// <summary>Every worker known, in the order they joined.</summary>
    public IEnumerable<IActorRef> All => _workers.Select(w => w.Worker);

    /// <summary>Workers holding the whole dataset, in the order they joined.</summary>
    public IEnumerable<IActorRef> Ready => _workers.Where(w => w.Link.HasData).Select(w => w.Worker);

    public bool HasReady => _workers.Any(w => w.Link.HasData);

    /// <summary>Workers a request can go to now: they hold the data, are reachable, and compute nothing.</summary>
    public IEnumerable<IActorRef> Idle => _workers.Where(w => w.Link is { HasData: true, Reachable: true, Computing: null }).Select(w => w.Worker);

    /// <summary>Workers that hold the data and are reachable, with the request each computes (if any).</summary>
    public IEnumerable<(IActorRef Worker, Request? Computing)> Usable
        => _workers.Where(w => w.Link is { HasData: true, Reachable: true }).Select(w => (w.Worker, w.Link.Computing));

    public int ReachableCount => _workers.Count(w => w.Link.Reachable);

    public bool IsReachable(IActorRef worker) => Find(worker)?.Reachable == true;

    /// <summary>Whether any worker known did not refuse the job: one that may still become ready.</summary>
    public bool AnyMayServe => _workers.Any(w => !w.Link.RefusedJob);

    /// <summary>Records that the worker cannot hold the job; false when it is unknown or was counted already.</summary>
    public bool MarkRefusedJob(IActorRef worker)
    {
        var link = Find(worker);
        if (link is null || link.RefusedJob) return false;
        (link.RefusedJob, link.HasData, link.Computing) = (true, false, null);
        return true;
    }

    /// <summary>
    /// The worker refused something it was sent and no longer trusts its copy of the job: it gets the job, its
    /// data (once it answers with its endpoint again) and, with its next request, the weights again. It computes
    /// nothing meanwhile.
    /// </summary>
    public void SendJobAgain(IActorRef worker)
    {
        var link = Find(worker);
        if (link is null || link.RefusedJob) return;
        (link.Endpoint, link.HasData, link.WeightsVersion, link.Computing) = (null, false, -1, null);
        SendJob(worker);
    }

    /// <summary>False when the worker is known already.</summary>
    public bool Add(IActorRef worker)
    {
        if (Find(worker) is not null) return false;
        _workers.Add((worker, new Link(_nextId++)));
        return true;
    }

    /// <summary>False when the worker was not known.</summary>
    public bool Remove(IActorRef worker) => _workers.RemoveAll(w => w.Worker.Equals(worker)) > 0;

    /// <summary>The worker whose frames carry <paramref name="id"/>, if it is still known.</summary>
    public IActorRef? WithId(int id) => _workers.FirstOrDefault(w => w.Link.Id == id).Worker;

    /// <summary>The worker whose data plane answered the job at <paramref name="endpoint"/>, if any.</summary>
    public IActorRef? AtEndpoint(string endpoint) => _workers.FirstOrDefault(w => w.Link.Endpoint == endpoint).Worker;

    /// <summary>Its data-plane endpoint; known once it answered <see cref="StartJob"/>.</summary>
    public string EndpointOf(IActorRef worker) => Find(worker)?.Endpoint ?? throw new InvalidOperationException($"{worker.Path} has not answered the job");

    /// <summary>Whether the worker fetches its shards' samples: it has no copy of the job's data file.</summary>
    public bool Fetches(IActorRef worker) => Find(worker)?.Fetches == true;

    /// <summary>Records that the worker holds the data; false when it is unknown or was counted already.</summary>
    public bool MarkHasData(IActorRef worker)
    {
        var link = Find(worker);
        if (link is null || link.HasData || link.RefusedJob || link.Endpoint is null) return false;
        link.HasData = true;
        return true;
    }

    /// <summary>Records what the failure detector says of a known worker; false when that is no change.</summary>
    public bool MarkReachable(IActorRef worker, bool reachable)
    {
        var link = Find(worker);
        if (link is null || link.Reachable == reachable) return false;
        link.Reachable = reachable;
        return true;
    }

    /// <summary>The worker answered its request of <paramref name="round"/>: that request; null when it was not what the worker computed.</summary>
    public Request? MarkDone(IActorRef worker, long round)
    {
        var link = Find(worker);
        if (link?.Computing is not { } request || request.Round != round) return null;
        link.Computing = null;
        return request;
    }

    public WorkerPace Pace(IActorRef worker) => Find(worker)?.Pace ?? new WorkerPace();

    /// <summary>
    /// The worker's compute speed in samples per second; a worker not measured yet is taken to be as fast as the
    /// median of those that are (all equal before any is).
    /// </summary>
    public double Speed(IActorRef worker)
        => Find(worker)?.Pace.SamplesPerSecond
           ?? (_workers.Any(w => w.Link.Pace.IsKnown) ? WorkerPace.Median(_workers.Select(w => w.Link.Pace.SamplesPerSecond).OfType<double>()) : 1);

    /// <summary>The median over the workers measured of their time from request to answer per sample; null before any answer.</summary>
    public double? RoundTripMsPerSample
    {
        get
        {
            var known = _workers.Select(w => w.Link.Pace.RoundTripMsPerSample).OfType<double>().ToList();
            return known.Count == 0 ? null : WorkerPace.Median(known);
        }
    }

    /// <summary>The job's description; the worker answers <see cref="WorkerReady"/> with its endpoint, and <see cref="SendData"/> follows.</summary>
    public void SendJob(IActorRef worker)
    {
        var link = Find(worker)!;
        worker.Tell(new StartJob(jobId, job, shape, token, coordinatorEndpoint, link.Id));
    }

    /// <summary>
    /// The dataset on the data plane, to the endpoint the worker answered with; false when the worker is unknown,
    /// refused the job, or was sent the data already. With a mapped file (<see cref="DataShape.Mapped"/>) a worker maps
    /// its own copy of x and y and is sent only the lengths, unless it <paramref name="needsData"/>: it has no copy, is
    /// sent nothing, and fetches its shards' samples (<see cref="SendSamples"/>).
    /// The values go from where they are (a mapped file's pages, or arrays) to the wire: nothing is copied here.
    /// </summary>
    public bool SendData(IActorRef worker, string endpoint, bool needsData)
    {
        var link = Find(worker);
        if (link is null || link.RefusedJob || link.Endpoint is not null) return false;
        (link.Endpoint, link.Fetches) = (endpoint, needsData && shape.Mapped is not null);
        var sender = plane.SenderTo(endpoint, token, StartJob.CoordinatorId);
        var sent = needsData ? shape with { Mapped = null, Fetched = true } : shape;
        Send(sender, sent, DataPart.TrainX, data.Train.X);
        Send(sender, sent, DataPart.TrainY, data.Train.Y);
        if (data.Train.Lengths is { } lengths) Send(sender, sent, DataPart.TrainLengths, lengths);
        if (data.Validation is not null)
        {
            Send(sender, sent, DataPart.ValidationX, data.Validation.X);
            Send(sender, sent, DataPart.ValidationY, data.Validation.Y);
            if (data.Validation.Lengths is { } validationLengths) Send(sender, sent, DataPart.ValidationLengths, validationLengths);
        }
        return true;
    }

    /// <summary>
    /// The samples a worker without a copy of the data file asked for: their rows of x, y and lengths gathered out of
    /// the dataset (a mapped file's pages) in the order asked for, each part packed into one array, and sent as
    /// <see cref="FrameKind.Samples"/> frames of the fetch's ticket. False when the worker has not answered the job or
    /// names samples its set does not hold; it is sent nothing then.
    /// </summary>
    public bool SendSamples(IActorRef worker, FetchSamples fetch)
    {
        if (Find(worker)?.Endpoint is not { } endpoint) return false;
        var set = fetch.Validation ? data.Validation : data.Train;
        if (set is null || fetch.SampleIds.Any(id => id < 0 || id >= set.Samples)) return false;
        var rows = ShardInput.Gather(set.X.Span, set.Y.Span, set.Timesteps, set.InputSize, set.TargetsPerSample, fetch.SampleIds, set.Lengths);
        float[][] values = [rows.X, rows.Y, rows.Lengths is { } lengths ? Array.ConvertAll(lengths, length => (float)length) : []];
        var sender = plane.SenderTo(endpoint, token, StartJob.CoordinatorId);
        var parts = DataParts.Of(fetch.Validation);
        for (int p = 0; p < parts.Length; p++)
            for (int segment = 0; segment < Segments.Count(values[p].Length); segment++)
            {
                var (offset, length) = Segments.Range(segment, values[p].Length);
                sender.Send(Frame.Samples(fetch.Ticket, (byte)parts[p], offset, length), values[p], offset);
            }
        return true;
    }

    /// <summary>
    /// Sends the request of <paramref name="round"/> for <paramref name="samples"/> samples, preceded by the
    /// weights of <paramref name="version"/> unless the worker holds them. A worker still computing an earlier
    /// request takes this one after it, and counts as computing this one from now.
    /// </summary>
    public void SendRequest(IActorRef worker, long round, int samples, IProtocolMessage request, long version, float[] weights)
    {
        SendWeights(worker, version, weights);
        worker.Tell(request);
        Find(worker)!.Computing = new Request(round, samples, Stopwatch.GetTimestamp());
    }

    /// <summary>
    /// Sends the weights of <paramref name="version"/> unless the worker holds them. The array is never written
    /// (each step makes a new one), so the sends to every worker read it side by side, without a copy.
    /// </summary>
    private void SendWeights(IActorRef worker, long version, float[] weights)
    {
        var link = Find(worker)!;
        if (link.WeightsVersion == version) return;
        var sender = plane.SenderTo(link.Endpoint!, token, StartJob.CoordinatorId);
        // The test hook: this version's frames land past the end of the weights, once for each worker.
        long misplace = faults.WeightsOffsetVersion == version && _faulted.Add(worker) ? weights.Length : 0;
        for (int segment = 0; segment < Segments.Count(weights.Length); segment++)
        {
            var (offset, count) = Segments.Range(segment, weights.Length);
            sender.Send(Frame.Weights(version, offset + misplace, count), weights, offset);
        }
        link.WeightsVersion = version;
    }

    private Link? Find(IActorRef worker) => _workers.FirstOrDefault(w => w.Worker.Equals(worker)).Link;

    /// <summary>The part's floats the worker expects on the data plane (<see cref="DataShape.Length"/> of what it was <paramref name="sent"/>).</summary>
    private static void Send(IFrameSender sender, DataShape sent, DataPart part, ReadOnlyMemory<float> values)
    {
        long length = sent.Length(part);
        for (int piece = 0; piece < Segments.Count(length); piece++)
        {
            var (offset, count) = Segments.Range(piece, length);
            sender.Send(Frame.Data((byte)part, offset, count), values, offset);
        }
    }
}
