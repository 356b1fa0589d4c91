using System.Globalization;
using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Data;
using Rnn.Math.Model;
using Rnn.Math.Training;
using RnnCluster.Shared.Compute;
using RnnCluster.Shared.Protocol;

namespace RnnCluster.Coordinator.Training;

/// <summary>
/// Refuses, before anything large is allocated, a run this machine cannot hold: the coordinator's arrays and, in
/// local mode, those of every in-process worker (each keeps its own copy of the data, unless a safetensors file maps
/// it in place, and its own gradients),
/// estimated from the config and the size of the data; and any single array longer than .NET allows, whatever
/// the machine. The message names the config field that makes the run large and the memory it would need.
/// Workers in a cluster check themselves when the job reaches them (<see cref="ShardComputer.Memory"/>).
/// </summary>
public static class MemoryBudget
{
    /// <param name="config">The run: its model, batch and validation sizes.</param>
    /// <param name="network">The model as built from the config.</param>
    /// <param name="data">How much data the run holds.</param>
    /// <param name="localWorkers">Workers in this process: local mode's; 0 in cluster mode.</param>
    /// <param name="threads">Threads each local worker computes with.</param>
    /// <param name="machineBytes">What this process may use (<see cref="MemoryEstimate.MachineBytes"/>).</param>
    /// <param name="workersMapData">Whether local workers map the data from a file (`train` writes one beside the run) instead of holding a copy each.</param>
    public static void Require(RunConfig config, Network network, DatasetSize data, int localWorkers, int threads, double machineBytes, bool workersMapData = false)
    {
        var engine = new GradientEngine(network, config.Training.Loss, config.Training.TruncatedBptt);
        // A mapped file's x and y are paged in as they are read, by every process alike: nothing of them is held.
        var mapped = new MappedData(config.Data.Path ?? "", "", 0, data.TrainCount);
        var shape = new DataShape(data.TrainCount, data.Samples - data.TrainCount, data.Timesteps, data.Features, engine.LossTermsPerSample(data.Timesteps))
        {
            Mapped = data.Mapped ? mapped : null,
        };
        var coordinator = Coordinator(network, config.Training, shape);
        var workerShape = workersMapData ? shape with { Mapped = mapped } : shape;
        var worker = localWorkers > 0 ? ShardComputer.Memory(network, WorkerJob.Of(config.Model, config.Training), workerShape, threads) : null;
        foreach (var estimate in worker is null ? [coordinator] : new[] { coordinator, worker })
        {
            if (estimate.FitsInArrays) continue;
            throw new InputException(string.Create(CultureInfo.InvariantCulture,
                $"{Blame(config, network, estimate.Longest.Kind)} is too large: {estimate.Longest.What} would hold {MemoryEstimate.Values(estimate.Longest.Values)}, more than one array can hold ({Array.MaxLength:N0})"));
        }

        double total = coordinator.Bytes + localWorkers * (worker?.Bytes ?? 0);
        if (total <= machineBytes) return;
        var kind = Enum.GetValues<MemoryKind>().MaxBy(k => coordinator.BytesOf(k) + localWorkers * (worker?.BytesOf(k) ?? 0));
        string where = worker is null
            ? $"on the coordinator ({coordinator.Describe()})"
            : $"in this process: {localWorkers} worker{(localWorkers == 1 ? "" : "s")} × {MemoryEstimate.Size(worker.Bytes)} ({worker.Describe()}) " +
              $"and the coordinator {MemoryEstimate.Size(coordinator.Bytes)} ({coordinator.Describe()})";
        throw new InputException($"{Blame(config, network, kind)} needs about {MemoryEstimate.Size(total)} {where}; this machine has {MemoryEstimate.Size(machineBytes)}");
    }

    /// <summary>
    /// The coordinator's arrays: the weights and optimizer moments of the state and of the next one while a step
    /// makes it, the weights sent to workers, the partial gradients of a round's tree (about one per level of it; on
    /// the data plane only the root lands here, so this bounds it from above), and the data as loaded (its training
    /// and validation parts are views of it; a mapped file's x and y count nothing: <see cref="DataShape.Length"/>).
    /// </summary>
    public static MemoryEstimate Coordinator(Network network, TrainingConfig training, DataShape shape)
    {
        const double bytes = sizeof(float);
        double parameters = network.ParameterCount;
        int moments = training.OptimizerOrDefault.Type is OptimizerKind.Adam or OptimizerKind.AdamW ? 2 : 1;
        int minibatch = System.Math.Min(training.BatchSize, shape.TrainSamples);
        int nodes = ReductionTree.RootLevel(System.Math.Max(1, (minibatch + training.GroupSize - 1) / training.GroupSize)) + 2;
        double data = Enum.GetValues<DataPart>().Sum(part => (double)shape.Length(part));
        return new MemoryEstimate(
        [
            new("weights and optimizer moments", 2 * (1 + moments) * parameters * bytes, MemoryKind.Parameters),
            new("weights sent to workers", parameters * bytes, MemoryKind.Parameters),
            new("partial gradients", nodes * parameters * bytes, MemoryKind.Parameters),
            new("data", data * bytes, MemoryKind.Data),
        ], new LongestArray("the training inputs", shape.Length(DataPart.TrainX), MemoryKind.Data));
    }

    /// <summary>The config field that makes a part of <paramref name="kind"/> large, with its value.</summary>
    private static string Blame(RunConfig config, Network network, MemoryKind kind) => kind switch
    {
        MemoryKind.Parameters => network.Layers.MaxBy(l => l.Slots.Sum(s => (long)s.Length)) is { } layer
            ? $"model.layers[{layer.Index}].units: {layer.OutputSize}"
            : "model.layers",
        MemoryKind.Activations => $"training.batchSize: {config.Training.BatchSize}",
        _ => config.Data.Source switch
        {
            DataSource.Csv => $"data.timesteps: {config.Data.Timesteps}",
            DataSource.Synthetic => $"data.samples: {config.Data.Samples}",
            _ => $"data.path: {config.Data.Path}",
        },
    };
}
