using Rnn.Math.Config;
using Rnn.Math.LayerTypes;
using Rnn.Math.Layers;
using Rnn.Math.Losses;
using Rnn.Math.Training;

namespace Rnn.Math.Model;

/// <summary>
/// Runs a <see cref="Network"/> forward and backward over a shard of samples. One engine per thread: it owns the
/// layers' scratch buffers, which grow to the largest shard seen and are then reused, so training allocates
/// nothing per step. Shapes: n samples, T timesteps, I inputs, O outputs; x is (n, T, I), the output (n, O) for
/// many-to-one or (n, T, O) for many-to-many.
/// </summary>
public sealed class GradientEngine
{
    private readonly Network _network;
    private readonly LossKind _loss;
    private readonly int _truncatedBptt;
    private readonly ILayer[] _layers;
    private readonly bool _softmaxInLoss;
    private readonly bool _maskZero;
    private readonly IStatefulLayer[] _stateful;  // the stateful layers, in order: their columns of a state row
    private float[] _xWindow = [];         // (n, Tw, I) when a window is shorter than the sequence
    private float[] _yWindow = [];         // (n, Tw, target width)
    private float[] _outputGradient = [];  // (n, Tout, O)

    /// <param name="truncatedBptt">0 for full BPTT; k &gt; 0 to backpropagate through windows of k timesteps.</param>
    public GradientEngine(Network network, LossKind loss, int truncatedBptt)
    {
        if (truncatedBptt < 0)
            throw new InputException($"training.truncatedBptt: expected 0 (full BPTT) or a positive integer, got {truncatedBptt}");
        _network = network;
        _loss = loss;
        _truncatedBptt = truncatedBptt;
        var last = network.Layers[^1];
        // Softmax followed by cross-entropy is one log-softmax on the logits: the same math, and stable.
        _softmaxInLoss = loss == LossKind.CrossEntropy && last.Config is DenseConfig { Activation: Activation.Softmax };
        _layers = network.Layers.Select(spec => spec.Config.Build(spec, _softmaxInLoss && ReferenceEquals(spec, last))).ToArray();
        if (_layers is [EmbeddingLayer embedding, ITokenReader reader, ..]) embedding.FeedInto(reader);
        _maskZero = network.Layers[0].Config is EmbeddingConfig { MaskZero: true };
        _stateful = [.. _layers.OfType<IStatefulLayer>().Where(layer => layer.StateWidth > 0)];
        StateWidth = _stateful.Sum(layer => layer.StateWidth);
        if (truncatedBptt > 0 && network.Layers.Any(l => l.Config is RecurrentConfig { Bidirectional: true }))
            throw new InputException("training.truncatedBptt: a bidirectional layer reads every sequence whole (its backward direction starts at the end); use full BPTT (0)");
    }

    public Network Network => _network;

    /// <summary>
    /// The floats of one sample's carried state: every stateful layer's h (and the LSTM's c), in layer order; 0 for a
    /// model without a stateful layer. A shard's <see cref="ShardInput.State"/> starts its samples from such rows, and
    /// <see cref="SaveState"/> gives the rows its last pass ended with.
    /// </summary>
    public int StateWidth { get; }

    /// <summary>The states (n, <see cref="StateWidth"/>) the last pass over <paramref name="n"/> samples ended with, into <paramref name="states"/>.</summary>
    public void SaveState(Span<float> states, int n)
    {
        if (states.Length < n * StateWidth) throw new ArgumentException($"states must hold {n}·{StateWidth} floats", nameof(states));
        int offset = 0;
        foreach (var layer in _stateful)
        {
            layer.SaveState(states, n, StateWidth, offset);
            offset += layer.StateWidth;
        }
    }

    /// <summary>The pass starting from <paramref name="states"/> (n, StateWidth) when given: loaded into the stateful layers.</summary>
    private Pass FromState(in Pass pass, float[]? states)
    {
        if (states is null) return pass;
        if (StateWidth == 0) throw new ArgumentException("the model has no stateful layer to carry a state", nameof(states));
        if (states.Length < pass.Samples * StateWidth)
            throw new ArgumentException($"states hold {states.Length} floats, expected (n, width) = ({pass.Samples}, {StateWidth})", nameof(states));
        int offset = 0;
        foreach (var layer in _stateful)
        {
            layer.LoadState(states, pass.Samples, StateWidth, offset);
            offset += layer.StateWidth;
        }
        return pass with { FromState = true };
    }

    /// <summary>
    /// Loss terms per sample of <paramref name="timesteps"/> steps: the count behind the mean. The caller's
    /// lossScale is 1 / (this × samples in the minibatch).
    /// </summary>
    public int LossTermsPerSample(int timesteps)
        => (_network.OutputIsSequence ? timesteps : 1) * LossFunction.TargetWidth(_loss, _network.OutputSize);

    /// <summary>
    /// Loss terms of the samples of <paramref name="shard"/> [first, end): per sample as <see cref="LossTermsPerSample"/>
    /// without padding; with lengths or maskZero, a sequence output's real steps times the target width. A minibatch's
    /// lossScale is 1 / its terms.
    /// </summary>
    public long LossTerms(ShardInput shard, int first, int end)
    {
        var mask = MaskOf(shard);
        if (mask is null || !_network.OutputIsSequence) return (long)(end - first) * LossTermsPerSample(shard.Timesteps);
        return (long)mask.RealSteps(first, end) * LossFunction.TargetWidth(_loss, _network.OutputSize);
    }

    /// <summary>
    /// Each sample's loss terms when they differ (a sequence output of sequences with lengths, or under maskZero):
    /// its real steps times the target width; null when every sample has <see cref="LossTermsPerSample"/>.
    /// x is (samples, T, I) and lengths (samples) or empty.
    /// </summary>
    public int[]? SampleTerms(ReadOnlySpan<float> x, ReadOnlySpan<float> lengths, int samples, int timesteps)
    {
        if (!_network.OutputIsSequence || (lengths.IsEmpty && !_maskZero)) return null;
        int width = LossFunction.TargetWidth(_loss, _network.OutputSize);
        var terms = new int[samples];
        for (int s = 0; s < samples; s++)
        {
            int length = lengths.IsEmpty ? timesteps : (int)lengths[s], real = 0;
            for (int t = 0; t < length; t++)
                if (!_maskZero || x[s * timesteps + t] != 0f) real++;
            terms[s] = real * width;
        }
        return terms;
    }

    /// <summary>The shard's padding: its lengths, and token id 0 under an embedding's maskZero.</summary>
    private StepMask? MaskOf(ShardInput shard)
        => StepMask.Of(shard.Count, shard.Timesteps, shard.Lengths, _maskZero ? shard.X.AsSpan(0, shard.Count * shard.Timesteps) : default);

    /// <summary>
    /// Forward and BPTT over the shard's samples at once. Group k is samples [k·groupSize, (k+1)·groupSize)
    /// (the last may be shorter): gradients[k] (length P, overwritten) gets its gradient of lossScale × loss,
    /// losses[k] its unscaled loss and metric sums. A group's results are the same bits in any shard at any offset.
    /// With truncated BPTT the windows' gradients are summed; a many-to-one model has loss in the last window only.
    /// </summary>
    public void ComputeGroups(ReadOnlySpan<float> parameters, ShardInput shard, int groupSize, float lossScale,
        DropoutKey? dropout, IReadOnlyList<float[]> gradients, Span<LossSums> losses)
    {
        int n = shard.Count, T = shard.Timesteps;
        CheckShard(parameters, shard, groupSize);
        var whole = FromState(new Pass(n, T, 0, groupSize, shard.SampleIds, dropout, MaskOf(shard)), shard.State);
        if (gradients.Count < whole.GroupCount || losses.Length < whole.GroupCount)
            throw new ArgumentException($"{whole.GroupCount} groups need as many gradient buffers and losses");
        for (int g = 0; g < whole.GroupCount; g++)
            if (gradients[g].Length != _network.ParameterCount)
                throw new ArgumentException($"gradient buffer {g} has length {gradients[g].Length}, expected {_network.ParameterCount}");
        losses[..whole.GroupCount].Clear();

        int window = _truncatedBptt > 0 ? System.Math.Min(_truncatedBptt, T) : T;
        bool accumulate = false;
        for (int first = 0; first < T; first += window)
        {
            var pass = whole with { Steps = System.Math.Min(window, T - first), FirstStep = first };
            float[] output = Forward(parameters, WindowOf(shard.X, ref _xWindow, _network.InputSize, T, pass), pass);
            if (!_network.OutputIsSequence && first + pass.Steps < T) continue;

            float[] target = _network.OutputIsSequence
                ? WindowOf(shard.Y, ref _yWindow, LossFunction.TargetWidth(_loss, _network.OutputSize), T, pass)
                : shard.Y;
            AddLosses(output, target, pass, lossScale, losses);
            Backward(parameters, pass, new GradientTarget(gradients, accumulate));
            accumulate = true;
        }
    }

    /// <summary>The loss and metric sums of each group without dropout or gradients: validation and evaluation.</summary>
    public void EvaluateGroups(ReadOnlySpan<float> parameters, ShardInput shard, int groupSize, Span<LossSums> losses)
    {
        CheckShard(parameters, shard, groupSize);
        var pass = FromState(new Pass(shard.Count, shard.Timesteps, 0, groupSize, shard.SampleIds, null, MaskOf(shard)), shard.State);
        if (losses.Length < pass.GroupCount)
            throw new ArgumentException($"{pass.GroupCount} groups need as many losses");
        losses[..pass.GroupCount].Clear();
        AddLosses(Forward(parameters, shard.X, pass), shard.Y, pass, 1f, losses);
    }

    /// <summary>
    /// Inference without dropout: x (n, T, I) → output (n, O) or (n, T, O), with the last layer's activation applied;
    /// a cross-entropy model gives class probabilities (the softmax of its logits), whatever its last activation.
    /// A stateful model starts from <paramref name="states"/> (n, <see cref="StateWidth"/>) when given, else from zero.
    /// </summary>
    public void Predict(ReadOnlySpan<float> parameters, float[] x, int n, int timesteps, Span<float> output, IReadOnlyList<int>? lengths = null,
        float[]? states = null)
    {
        if (n <= 0 || timesteps <= 0 || x.Length < n * timesteps * _network.InputSize)
            throw new ArgumentException($"x must hold n·T·I = {n}·{timesteps}·{_network.InputSize} floats", nameof(x));
        var pass = FromState(new Pass(n, timesteps, 0, n, null, null, StepMask.Of(n, timesteps, lengths, _maskZero ? x.AsSpan(0, n * timesteps) : default)), states);
        int rows = n * (_network.OutputIsSequence ? timesteps : 1), width = _network.OutputSize;
        if (output.Length < rows * width)
            throw new ArgumentException($"output must hold {rows * width} floats", nameof(output));
        Forward(parameters, x, pass).AsSpan(0, rows * width).CopyTo(output);
        if (_loss == LossKind.CrossEntropy)
            for (int row = 0; row < rows; row++)
                Elementwise.Softmax(output.Slice(row * width, width));
    }

    /// <summary>
    /// The lengths, in floats, of the buffers this engine and its layers hold after a pass over
    /// <paramref name="samples"/> sequences of <paramref name="timesteps"/>, each with its layer's index (-1 for
    /// the engine's own): what an engine's memory grows to, known before anything is allocated. A training pass
    /// runs the windows of truncated BPTT; an evaluation pass the whole sequence (counted with its backward
    /// buffers, which it does not fill: an estimate errs on the large side).
    /// </summary>
    public IEnumerable<(int Layer, double Floats)> Buffers(double samples, int timesteps, bool training)
    {
        double window = training && _truncatedBptt > 0 ? System.Math.Min(_truncatedBptt, timesteps) : timesteps;
        for (int i = 0; i < _layers.Length; i++)
            foreach (double floats in _layers[i].Buffers(samples, window))
                yield return (i, floats);
        yield return (-1, samples * (_network.OutputIsSequence ? window : 1) * _network.OutputSize);
        if (window == timesteps) yield break;
        yield return (-1, samples * window * _network.InputSize);
        if (_network.OutputIsSequence) yield return (-1, samples * window * LossFunction.TargetWidth(_loss, _network.OutputSize));
    }

    private float[] Forward(ReadOnlySpan<float> parameters, float[] x, in Pass pass)
    {
        float[] activation = x;
        foreach (var layer in _layers)
            activation = layer.Forward(parameters, activation, pass);
        return activation;
    }

    private void Backward(ReadOnlySpan<float> parameters, in Pass pass, GradientTarget target)
    {
        float[]? gradient = _outputGradient;
        for (int i = _layers.Length - 1; i >= 0; i--)
            gradient = _layers[i].Backward(parameters, gradient ?? [], pass, target, wantInputGradient: i > 0);
    }

    /// <summary>
    /// Adds each group's loss and metric sums over the pass's output rows and leaves the scaled output gradient in
    /// _outputGradient. A padded step of a sequence output adds nothing and gets no gradient.
    /// </summary>
    private void AddLosses(float[] output, float[] target, in Pass pass, float lossScale, Span<LossSums> losses)
    {
        int rowsPerSample = _network.OutputIsSequence ? pass.Steps : 1;
        int width = _network.OutputSize, targetWidth = LossFunction.TargetWidth(_loss, width);
        Scratch.Ensure(ref _outputGradient, pass.Samples * rowsPerSample * width);
        if (pass.Mask is not null && _network.OutputIsSequence)
        {
            AddMaskedLosses(output, target, pass, lossScale, losses, width, targetWidth);
            return;
        }
        for (int g = 0; g < pass.GroupCount; g++)
        {
            int firstRow = pass.GroupStart(g) * rowsPerSample, rows = pass.GroupEnd(g) * rowsPerSample - firstRow;
            var outputs = output.AsSpan(firstRow * width, rows * width);
            var targets = target.AsSpan(firstRow * targetWidth, rows * targetWidth);
            double loss = LossFunction.Sum(_loss, outputs, targets, rows, width, lossScale, _outputGradient.AsSpan(firstRow * width, rows * width));
            losses[g] += LossSums.Of(_loss, loss, outputs, targets, rows, width);
        }
    }

    /// <summary>The loss of a sequence output under a mask: its rows one by one, padded ones skipped.</summary>
    private void AddMaskedLosses(float[] output, float[] target, in Pass pass, float lossScale, Span<LossSums> losses, int width, int targetWidth)
    {
        for (int g = 0; g < pass.GroupCount; g++)
            for (int s = pass.GroupStart(g); s < pass.GroupEnd(g); s++)
                for (int t = 0; t < pass.Steps; t++)
                {
                    int row = s * pass.Steps + t;
                    var gradient = _outputGradient.AsSpan(row * width, width);
                    if (!pass.IsReal(s, t))
                    {
                        gradient.Clear();
                        continue;
                    }
                    var outputs = output.AsSpan(row * width, width);
                    var targets = target.AsSpan(row * targetWidth, targetWidth);
                    losses[g] += LossSums.Of(_loss, LossFunction.Sum(_loss, outputs, targets, 1, width, lossScale, gradient), outputs, targets, 1, width);
                }
    }

    /// <summary>The pass's timesteps of a (n, T, F) array: the array itself for the whole sequence, else a copy into window.</summary>
    private static float[] WindowOf(float[] sequence, ref float[] window, int features, int T, in Pass pass)
    {
        if (pass.Steps == T) return sequence;
        int length = pass.Steps * features;
        Scratch.Ensure(ref window, pass.Samples * length);
        for (int s = 0; s < pass.Samples; s++)
            sequence.AsSpan((s * T + pass.FirstStep) * features, length).CopyTo(window.AsSpan(s * length, length));
        return window;
    }

    private void CheckShard(ReadOnlySpan<float> parameters, ShardInput shard, int groupSize)
    {
        if (groupSize <= 0) throw new ArgumentOutOfRangeException(nameof(groupSize), "the group size must be positive");
        if (parameters.Length != _network.ParameterCount)
            throw new ArgumentException($"expected {_network.ParameterCount} parameters, got {parameters.Length}", nameof(parameters));
        int n = shard.Count, T = shard.Timesteps;
        if (n <= 0 || T <= 0) throw new ArgumentException("a shard needs at least one sample and one timestep", nameof(shard));
        if (shard.X.Length < n * T * _network.InputSize)
            throw new ArgumentException($"shard X holds {shard.X.Length} floats, expected (n, T, I) = ({n}, {T}, {_network.InputSize})", nameof(shard));
        int targets = n * LossTermsPerSample(T);
        if (shard.Y.Length < targets)
            throw new ArgumentException($"shard Y holds {shard.Y.Length} floats, expected {targets}", nameof(shard));
    }
}
