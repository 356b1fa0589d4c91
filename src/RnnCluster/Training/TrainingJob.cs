using Rnn.Math;
using Rnn.Math.Config;
using Rnn.Math.Model;
using Rnn.Math.Training;

namespace RnnCluster.Coordinator.Training;

/// <summary>
/// Sequences as plain arrays, independent of where they came from: X is (Samples, Timesteps, InputSize) and
/// Y is (Samples, TargetsPerSample): the outputs, Timesteps × outputs for a sequence output, or class indices.
/// <see cref="Lengths"/> (Samples), when the sequences differ in length, are their real steps. X and Y may be a
/// file's bytes, memory-mapped (<see cref="Mapped"/>).
/// </summary>
public sealed record SequenceSet(ReadOnlyMemory<float> X, ReadOnlyMemory<float> Y, int Samples, int Timesteps, int InputSize, int TargetsPerSample)
{
    /// <summary>Where X and Y map in place: a safetensors file's `x` and `y` from sample <c>First</c> on; null when they are arrays.</summary>
    public MappedPart? Mapped { get; init; }

    /// <summary>Each sample's real steps when the sequences differ in length; null when all have <see cref="Timesteps"/>.</summary>
    public float[]? Lengths { get; init; }

    /// <summary>Each sample's loss terms where padding makes them differ (set by <see cref="TrainingJob.Create"/>); null when all have TargetsPerSample.</summary>
    public int[]? SampleTerms { get; init; }

    /// <summary>The loss terms of the samples <paramref name="ids"/>: the count a mean loss over them divides by.</summary>
    public long Terms(IReadOnlyList<int> ids)
    {
        if (SampleTerms is null) return (long)ids.Count * TargetsPerSample;
        long terms = 0;
        foreach (int id in ids) terms += SampleTerms[id];
        return terms;
    }

    /// <summary>The loss terms of every sample.</summary>
    public long TotalTerms => SampleTerms?.Sum(t => (long)t) ?? (long)Samples * TargetsPerSample;

    /// <summary>
    /// Samples [<paramref name="first"/>, <paramref name="first"/> + <paramref name="count"/>) of sequences laid out
    /// as a set's are: <paramref name="x"/> (samples, timesteps, features), <paramref name="y"/> (samples, targets),
    /// <paramref name="lengths"/> (samples) when they differ in length. X and Y are views of the same memory (a mapped
    /// file's stays mapped: <paramref name="mappedFile"/> names it), the lengths a copy.
    /// </summary>
    public static SequenceSet Slice(ReadOnlyMemory<float> x, ReadOnlyMemory<float> y, float[]? lengths, int first, int count, int timesteps, int features,
        int targets, string? mappedFile = null)
    {
        int xSize = timesteps * features;
        return new SequenceSet(x.Slice(first * xSize, count * xSize), y.Slice(first * targets, count * targets), count, timesteps, features, targets)
        {
            Lengths = lengths?.AsSpan(first, count).ToArray(),
            Mapped = mappedFile is null ? null : new MappedPart(mappedFile, first),
        };
    }
}

/// <summary>A part of a safetensors data file mapped in place: its samples from <paramref name="First"/> on.</summary>
public sealed record MappedPart(string Path, int First);

/// <summary>
/// Everything a training run needs: the model and how to train it, the data, and the weights to start from
/// in the model's flat parameter layout. Build it with <see cref="Create"/>, which checks that the parts fit.
/// </summary>
public sealed record TrainingJob(
    ModelConfig Model,
    TrainingConfig Training,
    SequenceSet Train,
    SequenceSet? Validation,
    float[] InitialWeights)
{
    /// <summary>The model to train; a job given another one (<c>with</c>) builds that one's network.</summary>
    public ModelConfig Model
    {
        get;
        init
        {
            field = value;
            _network = null;
        }
    } = Model;

    private Network? _network;

    /// <summary>
    /// The model's network, built once for the job (by <see cref="Create"/>, which checks the data against it) and
    /// used by everything on the coordinator's side: the parameter layout of its steps and checkpoints.
    /// </summary>
    public Network Network => _network ??= new Network(Model);

    /// <summary>The floats of one stream's carried state: every stateful layer's (docs/stateful.md); 0 for a model without one.</summary>
    public int StateWidth => Network.StateWidth;

    /// <summary>A stateful job's training windows as streams, one per row of a minibatch (training.batchSize of them); null otherwise.</summary>
    public StreamLayout? Streams => StateWidth > 0 ? new StreamLayout(Train.Samples, Training.BatchSize) : null;

    /// <summary>A stateful job's validation windows as streams: as many as training has, or one per window when there are fewer.</summary>
    public StreamLayout? ValidationStreams => StateWidth > 0 && Validation is { Samples: > 0 } validation
        ? new StreamLayout(validation.Samples, System.Math.Min(Training.BatchSize, validation.Samples))
        : null;

    /// <summary>The length of <see cref="TrainingState.StreamStates"/>: streams × <see cref="StateWidth"/>.</summary>
    public int StreamStateLength => StateWidth > 0 ? Training.BatchSize * StateWidth : 0;

    /// <summary>
    /// A job whose data fits its model; without <paramref name="initialWeights"/> the model is initialised from
    /// the training seed. Throws <see cref="InputException"/> naming what does not fit.
    /// </summary>
    /// <param name="model">The model to train.</param>
    /// <param name="training">How to train it.</param>
    /// <param name="train">The training sequences.</param>
    /// <param name="validation">The validation sequences; null: none.</param>
    /// <param name="initialWeights">The weights to start from; null: the model's initialisers from the training seed.</param>
    /// <param name="network">The network the caller built from <paramref name="model"/> already (for its memory check, say), so that a run builds it once; null: built here.</param>
    public static TrainingJob Create(ModelConfig model, TrainingConfig training, SequenceSet train, SequenceSet? validation, float[]? initialWeights = null,
        Network? network = null)
    {
        network ??= new Network(model);
        var engine = new GradientEngine(network, training.Loss, training.TruncatedBptt);
        if (training.BatchSize < 1) throw new InputException($"training.batchSize: expected a positive integer, got {training.BatchSize}");
        if (training.GroupSize < 1) throw new InputException($"training.groupSize: expected a positive integer, got {training.GroupSize}");
        if (train.Samples < 1) throw new InputException("data: the training part holds no samples");
        if (network.StateWidth > 0) RequireStreams(training, train);
        Check(train, "training", network, engine);
        train = train with { SampleTerms = engine.SampleTerms(train.X.Span, train.Lengths, train.Samples, train.Timesteps) };
        if (validation is not null)
        {
            Check(validation, "validation", network, engine);
            validation = validation with { SampleTerms = engine.SampleTerms(validation.X.Span, validation.Lengths, validation.Samples, validation.Timesteps) };
            if (validation.Timesteps != train.Timesteps)
                throw new InputException($"data: validation sequences have {validation.Timesteps} timesteps, training ones {train.Timesteps}");
        }
        if (initialWeights is null)
        {
            initialWeights = new float[network.ParameterCount];
            network.Initialize(initialWeights, training.Seed);
        }
        else if (initialWeights.Length != network.ParameterCount)
            throw new InputException($"initial weights: {initialWeights.Length} parameters, the model has {network.ParameterCount}");
        return new TrainingJob(model, training, train, validation, initialWeights) { _network = network };
    }

    /// <summary>A stateful model reads its windows in the streams' order, one window of every stream a minibatch.</summary>
    private static void RequireStreams(TrainingConfig training, SequenceSet train)
    {
        if (training.Shuffle)
            throw new InputException("training.shuffle: a stateful model reads each stream's windows in order; set shuffle to false");
        if (train.Samples < training.BatchSize)
            throw new InputException($"data.streams: a stateful model reads its training windows as {training.BatchSize} streams (data.streams, or training.batchSize), which needs at least {training.BatchSize} windows; the training part has {train.Samples}");
    }

    private static void Check(SequenceSet set, string part, Network network, GradientEngine engine)
    {
        if (set.InputSize != network.InputSize)
            throw new InputException($"data: the {part} part has {set.InputSize} features per timestep, model.inputSize is {network.InputSize}");
        int terms = engine.LossTermsPerSample(set.Timesteps);
        if (set.TargetsPerSample != terms)
            throw new InputException($"data: the {part} part has {set.TargetsPerSample} targets per sample, the model and loss expect {terms}");
        if (set.X.Length != (long)set.Samples * set.Timesteps * set.InputSize || set.Y.Length != (long)set.Samples * set.TargetsPerSample)
            throw new InputException($"data: the {part} part holds {set.X.Length} inputs and {set.Y.Length} targets, not {set.Samples} samples of ({set.Timesteps}, {set.InputSize}) and {set.TargetsPerSample}");
    }
}
