using System.Text.Json.Nodes;
using Rnn.Math.Config;
using Rnn.Math.LayerTypes;

namespace RnnCluster;

/// <summary>
/// A layer of a <see cref="Sequential"/> model. Each layer is one entry of the config's <c>model.layers</c>
/// (docs/contract.md), so a model built here trains, saves and loads exactly as one written in JSON.
/// </summary>
public abstract class Layer
{
    private protected Layer()
    {
    }

    /// <summary>Whether the layer gives one output per timestep (true) or one per sequence (false); null when it keeps what it is given.</summary>
    internal abstract bool? Sequence { get; }

    /// <summary>Whether the layer reads a sequence (recurrent layers do).</summary>
    internal virtual bool ReadsSequence => false;

    /// <summary>Whether the layer may only come first (an embedding reads token ids).</summary>
    internal virtual bool First => false;

    /// <summary>The layer's entry in <c>model.layers</c>.</summary>
    internal abstract JsonObject ToJson();

    /// <summary>The layer a config's entry describes, as the config loader read it.</summary>
    internal static Layer From(LayerConfig config) => config switch
    {
        LstmConfig lstm => new Lstm(lstm.Units, lstm.ReturnSequences, lstm.Bidirectional, lstm.Stateful),
        GruConfig gru => new Gru(gru.Units, gru.ReturnSequences, gru.Bidirectional, gru.Stateful),
        RnnConfig rnn => new SimpleRnn(rnn.Units, rnn.ReturnSequences, rnn.Bidirectional, rnn.Stateful),
        DropoutConfig dropout => new Dropout(dropout.Rate),
        DenseConfig dense => new Dense(dense.Units, dense.Activation == Activation.Linear ? null : dense.Activation.ToString().ToLowerInvariant()),
        EmbeddingConfig embedding => new Embedding(embedding.InputDim, embedding.OutputDim, embedding.MaskZero),
        _ => throw new InvalidDataException($"model.json: a layer the C# API has no type for ({config.GetType().Name})"),
    };
}

/// <summary>The recurrent layers' shared shape: units, whether every timestep's state is given on, both directions, and a state carried between windows.</summary>
public abstract class RecurrentLayer : Layer
{
    private protected RecurrentLayer(string type, int units, bool returnSequences, bool bidirectional, bool stateful)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        if (stateful && bidirectional)
            throw new ArgumentException("a bidirectional layer reads each window from its end as well, so no state can carry from one window to the next", nameof(stateful));
        Type = type;
        Units = units;
        ReturnSequences = returnSequences;
        Bidirectional = bidirectional;
        Stateful = stateful;
    }

    private string Type { get; }

    /// <summary>The size of the hidden state (per direction).</summary>
    public int Units { get; }

    /// <summary>True: the state of every timestep goes on (many-to-many, or a recurrent layer next); false: the last one only.</summary>
    public bool ReturnSequences { get; }

    /// <summary>Reads the sequence both ways (PyTorch's <c>bidirectional=True</c>, Keras's <c>Bidirectional</c>) and concatenates the two states.</summary>
    public bool Bidirectional { get; }

    /// <summary>
    /// Keras's <c>stateful=True</c>: the state a window ends with starts the next window of its stream, the same row of
    /// the next minibatch (docs/stateful.md). A fit then reads its samples in order as batchSize streams of
    /// consecutive windows, without shuffling.
    /// </summary>
    public bool Stateful { get; }

    internal override bool? Sequence => ReturnSequences;

    internal override bool ReadsSequence => true;

    internal override JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = Type, ["units"] = Units };
        if (ReturnSequences) json["returnSequences"] = true;
        if (Bidirectional) json["bidirectional"] = true;
        if (Stateful) json["stateful"] = true;
        return json;
    }
}

/// <summary>A long short-term memory layer (PyTorch's <c>nn.LSTM</c>, Keras's <c>LSTM</c>).</summary>
/// <param name="units">The size of the hidden and cell states.</param>
/// <param name="returnSequences">Give every timestep's state on, not only the last.</param>
/// <param name="bidirectional">Read the sequence both ways.</param>
/// <param name="stateful">Carry the state from each window into the next one of its stream (<see cref="RecurrentLayer.Stateful"/>).</param>
public sealed class Lstm(int units, bool returnSequences = false, bool bidirectional = false, bool stateful = false)
    : RecurrentLayer("lstm", units, returnSequences, bidirectional, stateful);

/// <summary>A gated recurrent unit layer (PyTorch's <c>nn.GRU</c>, Keras's <c>GRU</c>).</summary>
/// <param name="units">The size of the hidden state.</param>
/// <param name="returnSequences">Give every timestep's state on, not only the last.</param>
/// <param name="bidirectional">Read the sequence both ways.</param>
/// <param name="stateful">Carry the state from each window into the next one of its stream (<see cref="RecurrentLayer.Stateful"/>).</param>
public sealed class Gru(int units, bool returnSequences = false, bool bidirectional = false, bool stateful = false)
    : RecurrentLayer("gru", units, returnSequences, bidirectional, stateful);

/// <summary>The vanilla recurrent layer h_t = tanh(W_hh h_{t-1} + W_xh x_t + b) (PyTorch's <c>nn.RNN</c>, Keras's <c>SimpleRNN</c>).</summary>
/// <param name="units">The size of the hidden state.</param>
/// <param name="returnSequences">Give every timestep's state on, not only the last.</param>
/// <param name="bidirectional">Read the sequence both ways.</param>
/// <param name="stateful">Carry the state from each window into the next one of its stream (<see cref="RecurrentLayer.Stateful"/>).</param>
public sealed class SimpleRnn(int units, bool returnSequences = false, bool bidirectional = false, bool stateful = false)
    : RecurrentLayer("rnn", units, returnSequences, bidirectional, stateful);

/// <summary>Zeroes a fraction of its inputs while training, scaling the rest (inverted dropout); the identity when predicting.</summary>
public sealed class Dropout : Layer
{
    /// <param name="rate">The fraction dropped, in [0, 1).</param>
    public Dropout(double rate)
    {
        if (!(rate >= 0 && rate < 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "expected a fraction in [0, 1)");
        Rate = rate;
    }

    /// <summary>The fraction dropped.</summary>
    public double Rate { get; }

    internal override bool? Sequence => null;

    internal override JsonObject ToJson() => new() { ["type"] = "dropout", ["rate"] = Rate };
}

/// <summary>A fully connected layer, y = activation(W x + b), applied to every timestep of a sequence.</summary>
public sealed class Dense : Layer
{
    /// <param name="units">The outputs.</param>
    /// <param name="activation">None (linear) when null, else <c>tanh</c>, <c>relu</c>, <c>sigmoid</c> or <c>softmax</c>.</param>
    public Dense(int units, string? activation = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        var known = Enum.GetNames<Activation>().Select(name => name.ToLowerInvariant()).ToList();
        if (activation is not null && !known.Contains(activation))
            throw new ArgumentException($"expected null or one of {string.Join(", ", known)}, got \"{activation}\"", nameof(activation));
        Units = units;
        Activation = activation is "linear" ? null : activation;
    }

    /// <summary>The outputs.</summary>
    public int Units { get; }

    /// <summary>The activation; null for a linear layer.</summary>
    public string? Activation { get; }

    internal override bool? Sequence => null;

    internal override JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = "dense", ["units"] = Units };
        if (Activation is not null) json["activation"] = Activation;
        return json;
    }
}

/// <summary>Token ids to vectors (PyTorch's <c>nn.Embedding</c>, Keras's <c>Embedding</c>); only as the first layer.</summary>
public sealed class Embedding : Layer
{
    /// <param name="inputDim">The vocabulary's size: ids run from 0 to inputDim - 1.</param>
    /// <param name="outputDim">The size of each token's vector.</param>
    /// <param name="maskZero">Id 0 is padding: the steps it fills are out of the loss, the gradients and the metrics.</param>
    public Embedding(int inputDim, int outputDim, bool maskZero = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputDim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputDim);
        InputDim = inputDim;
        OutputDim = outputDim;
        MaskZero = maskZero;
    }

    /// <summary>The vocabulary's size.</summary>
    public int InputDim { get; }

    /// <summary>The size of each token's vector.</summary>
    public int OutputDim { get; }

    /// <summary>Whether id 0 is padding.</summary>
    public bool MaskZero { get; }

    internal override bool? Sequence => true;

    internal override bool First => true;

    internal override JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = "embedding", ["inputDim"] = InputDim, ["outputDim"] = OutputDim };
        if (MaskZero) json["maskZero"] = true;
        return json;
    }
}
