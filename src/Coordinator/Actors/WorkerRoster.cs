using Akka.Actor;
using RnnCluster.Coordinator.Training;
using RnnCluster.Worker.DataPlane;
using RnnCluster.Worker.Protocol;

namespace RnnCluster.Coordinator.Actors;

/// <summary>
/// The coordinator's connections: the workers it knows, in the order they joined, each with its id in the job, its
/// data-plane endpoint once it answered the job, whether it holds the job's data and which weights it holds; and how
/// the job (Akka), its data and each step's weights (the data plane) reach a worker. It decides nothing about training.
/// </summary>
internal sealed class WorkerRoster(WorkerJob job, DataShape shape, TrainingJob data, Guid jobId, Guid token, DataPlaneNode plane,
    string coordinatorEndpoint)
{
    private readonly List<(IActorRef Worker, Link Link)> _workers = new();
    private int _nextId = 1;

    private sealed class Link(int id)
    {
        public int Id { get; } = id;
        public string? Endpoint;
        public bool HasData;
        public long WeightsVersion = -1;
    }

    /// <summary>Workers known, with or without the data.</summary>
    public int Count => _workers.Count;

    /// <summary>Every worker known, in the order they joined.</summary>
    public IEnumerable<IActorRef> All => _workers.Select(w => w.Worker);

    /// <summary>Workers holding the whole dataset, in the order they joined: the ones a round can use.</summary>
    public IEnumerable<IActorRef> Ready => _workers.Where(w => w.Link.HasData).Select(w => w.Worker);

    public bool HasReady => _workers.Any(w => w.Link.HasData);

    /// <summary>False when the worker is known already.</summary>
    public bool Add(IActorRef worker)
    {
        if (_workers.Any(w => w.Worker.Equals(worker))) return false;
        _workers.Add((worker, new Link(_nextId++)));
        return true;
    }

    /// <summary>False when the worker was not known.</summary>
    public bool Remove(IActorRef worker) => _workers.RemoveAll(w => w.Worker.Equals(worker)) > 0;

    /// <summary>The worker whose frames carry <paramref name="id"/>, if it is still known.</summary>
    public IActorRef? WithId(int id) => _workers.FirstOrDefault(w => w.Link.Id == id).Worker;

    /// <summary>Its data-plane endpoint; known once it answered <see cref="StartJob"/>.</summary>
    public string EndpointOf(IActorRef worker) => LinkOf(worker)?.Endpoint ?? throw new InvalidOperationException($"{worker.Path} has not answered the job");

    /// <summary>Records that the worker holds the data; false when it is unknown or was counted already.</summary>
    public bool MarkHasData(IActorRef worker)
    {
        var link = LinkOf(worker);
        if (link is null || link.HasData || link.Endpoint is null) return false;
        link.HasData = true;
        return true;
    }

    /// <summary>The job's description; the worker answers <see cref="WorkerReady"/> with its endpoint, and <see cref="SendData"/> follows.</summary>
    public void SendJob(IActorRef worker)
    {
        var link = LinkOf(worker)!;
        worker.Tell(new StartJob(jobId, job, shape, token, coordinatorEndpoint, link.Id));
    }

    /// <summary>The dataset on the data plane, to the endpoint the worker answered with; false when the worker is unknown.</summary>
    public bool SendData(IActorRef worker, string endpoint)
    {
        var link = LinkOf(worker);
        if (link is null || link.Endpoint is not null) return false;
        link.Endpoint = endpoint;
        var sender = plane.SenderTo(endpoint, token, 0);
        Send(sender, DataPart.TrainX, data.Train.X);
        Send(sender, DataPart.TrainY, data.Train.Y);
        if (data.Validation is not null)
        {
            Send(sender, DataPart.ValidationX, data.Validation.X);
            Send(sender, DataPart.ValidationY, data.Validation.Y);
        }
        return true;
    }

    /// <summary>
    /// Sends the weights of <paramref name="version"/> unless the worker holds them. The array is never written
    /// (each step makes a new one), so the sends to every worker read it side by side, without a copy.
    /// </summary>
    public void SendWeights(IActorRef worker, long version, float[] weights)
    {
        var link = LinkOf(worker)!;
        if (link.WeightsVersion == version) return;
        var sender = plane.SenderTo(link.Endpoint!, token, 0);
        for (int segment = 0; segment < Segments.Count(weights.Length); segment++)
        {
            var (offset, count) = Segments.Range(segment, weights.Length);
            sender.Send(Frame.Weights(version, offset, count), weights, offset);
        }
        link.WeightsVersion = version;
    }

    private Link? LinkOf(IActorRef worker) => _workers.FirstOrDefault(w => w.Worker.Equals(worker)).Link;

    private static void Send(IFrameSender sender, DataPart part, float[] values)
    {
        for (int segment = 0; segment < Segments.Count(values.Length); segment++)
        {
            var (offset, count) = Segments.Range(segment, values.Length);
            sender.Send(Frame.Data((byte)part, offset, count), values, offset);
        }
    }
}
