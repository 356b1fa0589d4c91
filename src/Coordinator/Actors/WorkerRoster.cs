using System.Diagnostics;
using Akka.Actor;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// The coordinator's connections: the workers it knows, in the order they joined; whether each holds the job's
/// data, is reachable, is computing a request (of which round), which weights it holds, how fast it has been
/// and whether it refused the job; and how the job, its data, each step's weights and each request reach a
/// worker. It decides nothing about training. <paramref name="faults"/> are the test hook's
/// (<see cref="TestFaults"/>), committed here where the weights are sent.
/// </summary>
internal sealed class WorkerRoster(StartJob start, TrainingJob job, TestFaults faults)
{
    private readonly List<(IActorRef Worker, Link Link)> _workers = new();
    private readonly HashSet<IActorRef> _faulted = new();
    private long _chunksVersion = -1;
    private List<WeightsChunk> _chunks = new();

    private sealed class Link
    {
        public bool HasData;
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
    /// data and, with its next request, the weights again. It computes nothing meanwhile.
    /// </summary>
    public void SendJobAgain(IActorRef worker)
    {
        var link = Find(worker);
        if (link is null || link.RefusedJob) return;
        (link.HasData, link.WeightsVersion, link.Computing) = (false, -1, null);
        SendJob(worker);
    }

    /// <summary>False when the worker is known already.</summary>
    public bool Add(IActorRef worker)
    {
        if (Find(worker) is not null) return false;
        _workers.Add((worker, new Link()));
        return true;
    }

    /// <summary>False when the worker was not known.</summary>
    public bool Remove(IActorRef worker) => _workers.RemoveAll(w => w.Worker.Equals(worker)) > 0;

    /// <summary>Records that the worker holds the data; false when it is unknown or was counted already.</summary>
    public bool MarkHasData(IActorRef worker)
    {
        var link = Find(worker);
        if (link is null || link.HasData || link.RefusedJob) return false;
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

    /// <summary>The job's description, then its dataset in chunks; the worker answers <see cref="DataReceived"/>.</summary>
    public void SendJob(IActorRef worker)
    {
        worker.Tell(start);
        SendData(worker, DataPart.TrainX, job.Train.X);
        SendData(worker, DataPart.TrainY, job.Train.Y);
        if (job.Validation is null) return;
        SendData(worker, DataPart.ValidationX, job.Validation.X);
        SendData(worker, DataPart.ValidationY, job.Validation.Y);
    }

    /// <summary>
    /// Sends the request of <paramref name="round"/> for <paramref name="samples"/> samples, preceded by the
    /// weights of <paramref name="version"/> unless the worker holds them. A worker still computing an earlier
    /// request takes this one after it (Akka keeps the order), and counts as computing this one from now.
    /// </summary>
    public void SendRequest(IActorRef worker, long round, int samples, IProtocolMessage request, long version, float[] weights)
    {
        SendWeights(worker, version, weights);
        worker.Tell(request);
        Find(worker)!.Computing = new Request(round, samples, Stopwatch.GetTimestamp());
    }

    /// <summary>Chunks are cut once per version, whoever they go to.</summary>
    private void SendWeights(IActorRef worker, long version, float[] weights)
    {
        var link = Find(worker)!;
        if (link.WeightsVersion == version) return;
        if (_chunksVersion != version)
        {
            _chunks = TensorChunks.Split(weights).Select(c => new WeightsChunk(start.JobId, version, c.Offset, c.Values)).ToList();
            _chunksVersion = version;
        }
        // The test hook: this version's chunks land past the end of the weights, once for each worker.
        int misplace = faults.WeightsOffsetVersion == version && _faulted.Add(worker) ? weights.Length : 0;
        foreach (var chunk in _chunks) worker.Tell(misplace == 0 ? chunk : chunk with { Offset = chunk.Offset + misplace });
        link.WeightsVersion = version;
    }

    private void SendData(IActorRef worker, DataPart part, float[] values)
    {
        foreach (var (offset, chunk) in TensorChunks.Split(values))
            worker.Tell(new DataChunk(start.JobId, part, offset, chunk));
    }

    private Link? Find(IActorRef worker) => _workers.FirstOrDefault(w => w.Worker.Equals(worker)).Link;
}
