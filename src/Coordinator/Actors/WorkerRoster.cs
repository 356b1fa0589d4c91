using Akka.Actor;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// The coordinator's connections: the workers it knows, in the order they joined, whether each holds the job's
/// data, which weights it holds, whether it refused the job; and how the job, its data and each step's weights
/// reach a worker. It decides nothing about training. <paramref name="faults"/> are the test hook's
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
        public long WeightsVersion = -1;
        public bool RefusedJob;
    }

    /// <summary>Workers known, with or without the data.</summary>
    public int Count => _workers.Count;

    /// <summary>Every worker known, in the order they joined.</summary>
    public IEnumerable<IActorRef> All => _workers.Select(w => w.Worker);

    /// <summary>Workers holding the whole dataset, in the order they joined: the ones a round can use.</summary>
    public IEnumerable<IActorRef> Ready => _workers.Where(w => w.Link.HasData).Select(w => w.Worker);

    public bool HasReady => _workers.Any(w => w.Link.HasData);

    /// <summary>Whether any worker known did not refuse the job: one that may still become ready.</summary>
    public bool AnyMayServe => _workers.Any(w => !w.Link.RefusedJob);

    /// <summary>Records that the worker cannot hold the job; false when it is unknown or was counted already.</summary>
    public bool MarkRefusedJob(IActorRef worker)
    {
        var link = LinkOf(worker);
        if (link is null || link.RefusedJob) return false;
        (link.RefusedJob, link.HasData) = (true, false);
        return true;
    }

    /// <summary>
    /// The worker refused something it was sent and no longer trusts its copy of the job: it gets the job, its
    /// data and, with its next request, the weights again.
    /// </summary>
    public void SendJobAgain(IActorRef worker)
    {
        var link = LinkOf(worker);
        if (link is null || link.RefusedJob) return;
        (link.HasData, link.WeightsVersion) = (false, -1);
        SendJob(worker);
    }

    /// <summary>False when the worker is known already.</summary>
    public bool Add(IActorRef worker)
    {
        if (_workers.Any(w => w.Worker.Equals(worker))) return false;
        _workers.Add((worker, new Link()));
        return true;
    }

    /// <summary>False when the worker was not known.</summary>
    public bool Remove(IActorRef worker) => _workers.RemoveAll(w => w.Worker.Equals(worker)) > 0;

    /// <summary>Records that the worker holds the data; false when it is unknown or was counted already.</summary>
    public bool MarkHasData(IActorRef worker)
    {
        var link = LinkOf(worker);
        if (link is null || link.HasData || link.RefusedJob) return false;
        link.HasData = true;
        return true;
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

    /// <summary>Sends the weights of <paramref name="version"/> unless the worker holds them; chunks are cut once per version.</summary>
    public void SendWeights(IActorRef worker, long version, float[] weights)
    {
        var link = _workers.First(w => w.Worker.Equals(worker)).Link;
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

    private Link? LinkOf(IActorRef worker) => _workers.FirstOrDefault(w => w.Worker.Equals(worker)).Link;

    private void SendData(IActorRef worker, DataPart part, float[] values)
    {
        foreach (var (offset, chunk) in TensorChunks.Split(values))
            worker.Tell(new DataChunk(start.JobId, part, offset, chunk));
    }
}
