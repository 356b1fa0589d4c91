using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Rnn.Math;
using Rnn.Math.Model;
using Rnn.Math.Training;
using Rnn.Math.Weights;
using RnnCluster.Coordinator.Output;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Checkpoints;

/// <summary>
/// A checkpoint is one safetensors file: the weights under the model's own tensor names (so PyTorch reads them
/// as it reads model.safetensors), the optimizer's moments as <c>optimizer.first</c> and <c>optimizer.second</c>
/// over the flat parameter layout, a stateful run's carried states as <c>streams.state</c> (streams × state width),
/// and in the metadata the rest of the <see cref="TrainingState"/> as JSON
/// (<c>position</c>), the run's <see cref="RunFingerprint"/> (<c>config</c>, <c>data</c>) and a SHA-256 over all
/// metadata and tensor bytes (<c>sha256</c>), so that a damaged file is refused however it was damaged.
/// </summary>
public static class CheckpointFile
{
    /// <summary>The format line every checkpoint starts with; a file without it is not read.</summary>
    public const string Format = "rnn-cluster checkpoint 1";

    private const string FirstMoment = "optimizer.first";
    private const string SecondMoment = "optimizer.second";
    private const string BestWeights = "earlyStopping.best";
    private const string StreamStates = "streams.state";
    private const string ChecksumKey = "sha256";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // A diverged run's NaN loss is part of its history too.
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Whether <paramref name="file"/> says it is a checkpoint (its tensors may still be damaged: <see cref="Read"/> checks).</summary>
    public static bool IsCheckpoint(SafeTensorsFile file) => file.Metadata.GetValueOrDefault("format") == Format;

    /// <summary>Whether a checkpoint's tensor of that name is the training's state (the optimizer's, early stopping's) rather than the model's.</summary>
    public static bool IsOptimizerTensor(string name) => name is FirstMoment or SecondMoment or BestWeights or StreamStates;

    /// <summary>
    /// Writes atomically (temporary file, flushed to disk, renamed over <paramref name="path"/>). Weights or moments
    /// that are not finite are never written: training skips every step that would make them so.
    /// </summary>
    public static void Write(string path, ParameterLayout layout, TrainingState state, RunFingerprint fingerprint)
    {
        ModelWeights.RequireFinite(state.Weights, layout, path);
        ModelWeights.RequireFinite(state.Optimizer.First, layout, path);
        ModelWeights.RequireFinite(state.Optimizer.Second, layout, path);
        var tensors = layout.Slots
            .Select(slot => new NamedTensor(slot.Name, slot.Shape, state.Weights.AsMemory(slot.Offset, slot.Length)))
            .Append(new NamedTensor(FirstMoment, [state.Optimizer.First.Length], state.Optimizer.First))
            .ToList();
        if (state.Optimizer.Second.Length > 0) tensors.Add(new NamedTensor(SecondMoment, [state.Optimizer.Second.Length], state.Optimizer.Second));
        if (state.Stopping.BestWeights is { } best) tensors.Add(new NamedTensor(BestWeights, [best.Length], best));
        if (state.StreamStates.Length > 0) tensors.Add(new NamedTensor(StreamStates, [state.StreamStates.Length], state.StreamStates));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["position"] = JsonSerializer.Serialize(Position.Of(state), Json),
            ["config"] = fingerprint.Config,
            ["data"] = fingerprint.Data,
        };
        metadata[ChecksumKey] = Checksum(metadata, tensors);
        SafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>Reads and checks a checkpoint; a file that is not a whole, undamaged checkpoint throws <see cref="InputException"/> saying why.</summary>
    public static Checkpoint Read(string path) => Check(path, SafeTensors.Read(path));

    /// <summary>Checks a checkpoint already read from <paramref name="path"/>, as <see cref="Read"/> does.</summary>
    public static Checkpoint Check(string path, SafeTensorsFile file)
    {
        if (!IsCheckpoint(file))
            throw new InputException($"{file.FileName}: not a checkpoint of this program (no \"{Format}\" in its metadata)");
        if (file.Metadata.GetValueOrDefault(ChecksumKey) != Checksum(file.Metadata, file.Tensors))
            throw new InputException($"{file.FileName}: its checksum does not match its content");
        string Field(string key) => file.Metadata.GetValueOrDefault(key) ?? throw new InputException($"{file.FileName}: no {key} in its metadata");
        Position? position;
        try
        {
            position = JsonSerializer.Deserialize<Position>(Field("position"), Json);
        }
        catch (JsonException e)
        {
            throw new InputException($"{file.FileName}: its position is not valid JSON ({e.Message})");
        }
        return new Checkpoint(path, position ?? throw new InputException($"{file.FileName}: its position is empty"),
            new RunFingerprint(Field("config"), Field("data")), file);
    }

    /// <summary>SHA-256 over the metadata (but the checksum itself), in key order, then every tensor's name and bytes in file order.</summary>
    private static string Checksum(IReadOnlyDictionary<string, string> metadata, IReadOnlyList<NamedTensor> tensors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (key, value) in metadata.Where(m => m.Key != ChecksumKey).OrderBy(m => m.Key, StringComparer.Ordinal))
            hash.AppendData(Encoding.UTF8.GetBytes($"{key}={value}\n"));
        foreach (var tensor in tensors)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{tensor.Name}\n"));
            hash.AppendData(MemoryMarshal.AsBytes(tensor.Data.Span));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Everything of a <see cref="TrainingState"/> but its arrays: the metadata's <c>position</c>.</summary>
    public sealed record Position(
        int Epoch,
        int Minibatch,
        long Step,
        long OptimizerSteps,
        EpochTally Tally,
        IReadOnlyList<EpochMetrics> History,
        double TrainingSeconds,
        int BadSteps = 0,
        PlateauState? Plateau = null,
        StoppingState? Stopping = null)
    {
        /// <summary>Where <paramref name="state"/> stands: the position a checkpoint of it records.</summary>
        public static Position Of(TrainingState state) => new(
            state.Epoch, state.Minibatch, state.Step, state.Optimizer.Steps, state.Tally, state.History, state.TrainingSeconds, state.BadSteps, state.Plateau,
            state.Stopping with { BestWeights = null });
    }

    /// <summary>A checkpoint read and checked: its position and fingerprint, and its tensors for <see cref="State"/>.</summary>
    public sealed record Checkpoint(string Path, Position Position, RunFingerprint Fingerprint, SafeTensorsFile File)
    {
        /// <summary>
        /// The state to continue from, its tensors checked against <paramref name="layout"/> and, for a stateful run,
        /// its streams' states against <paramref name="streamStates"/> floats.
        /// </summary>
        public TrainingState State(ParameterLayout layout, int streamStates = 0)
        {
            var weights = new float[layout.Count];
            foreach (var slot in layout.Slots) File.Require(slot.Name, slot.Shape).Span.CopyTo(slot.Of(weights.AsSpan()));
            var first = File.Require(FirstMoment, layout.Count).ToArray();
            var second = File.Contains(SecondMoment) ? File.Require(SecondMoment, layout.Count).ToArray() : [];
            var p = Position;
            return new TrainingState(p.Epoch, p.Minibatch, p.Step, weights, new OptimizerState(p.OptimizerSteps, first, second),
                p.Tally, p.History, p.TrainingSeconds, p.BadSteps)
            {
                Plateau = p.Plateau ?? PlateauState.Start,
                Stopping = (p.Stopping ?? StoppingState.Start) with
                {
                    BestWeights = File.Contains(BestWeights) ? File.Require(BestWeights, layout.Count).ToArray() : null,
                },
                StreamStates = streamStates > 0 ? File.Require(StreamStates, streamStates).ToArray() : [],
            };
        }
    }
}
