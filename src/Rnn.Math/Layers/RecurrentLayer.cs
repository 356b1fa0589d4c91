using System.Numerics.Tensors;
using Rnn.Math.Kernels;
using Rnn.Math.LayerTypes;
using Rnn.Math.Model;

namespace Rnn.Math.Layers;

/// <summary>
/// What rnn, lstm and gru share. Shapes: n samples, T timesteps, I inputs, H units, G gates (GH = G·H).
/// Forward: the input projection of every timestep in one product, then the recurrence one timestep at a time
/// (a product with M = n, then the cell's row-wise math). Backward: the sweep from T-1 down to 0, then the
/// weight gradients and the input gradient of all timesteps in one product each. The state left at the end
/// of a window starts the next one (truncated BPTT); the gradient stops at the window's start.
/// Under a <see cref="StepMask"/> a padded step holds the state it got (h and the LSTM's c pass through), outputs
/// zeros, and passes its gradient through unchanged with a gradient of zero for its gates; steps past the window's
/// <see cref="Pass.Extent"/>, padding for every sample, are not computed at all. A stateful layer's first window starts
/// from the state it was given (<see cref="IStatefulLayer"/>): h, and the cell's own state after it.
/// Right after an embedding it may read ids instead of embedded rows (<see cref="TokenInput"/>).
/// </summary>
internal abstract class RecurrentLayer : ILayer, IStatefulLayer, ITokenReader
{
    protected readonly int I, H, GH;
    private readonly bool _returnSequences, _stateful;
    private readonly TensorSlot _weightIh, _weightHh, _biasIh, _biasHh;

    protected float[] Gates = [];      // (n, T, GH): pre-activations, then the cell's activated gates
    protected float[] HPrev = [];      // (n, T, H): h_{t-1} as step t reads it; row t = 0 is the initial state
    protected float[] HSeq = [];       // (n, T, H): h_t
    // W_hhᵀ (H, GH) and W_hh (GH, H) packed for the products of every step: packed once a pass, not once a step.
    protected readonly PackedB WeightHhT = new();
    protected readonly PackedB WeightHhPacked = new();
    private float[] _weightHhT = [];   // (H, GH): W_hhᵀ before it is packed
    protected float[] DGates = [];     // (n, T, GH): gradient of the input-side pre-activations (Gates itself where GradientsOverwriteGates)
    protected float[] DhNext = [];     // (n, H): dL/dh_t during the sweep, dL/dh_{t-1} after a step
    private float[] _weightIhT = [];   // (I, GH)
    private float[] _final = [];       // (n, H): h_{T-1}: the output when !returnSequences, and the carried state
    private float[] _dInput = [];      // (n, T, I)
    private float[] _input = [];       // (n, T, I), the caller's
    private float[] _carried = [];     // (n, 2H): dL/dh (and the cell's carried gradient) of the samples a step pads
    private TokenInput? _tokens;
    private float[] _tableGates = [];  // (V, GH): the input side of the gates of each token
    private float[] _tokenSums = [];   // (V, GH): a group's gate gradients summed per token

    protected RecurrentLayer(LayerSpec spec)
    {
        I = spec.InputSize;
        H = spec.OutputSize;
        (_weightIh, _weightHh, _biasIh, _biasHh) = (spec.Slots[0], spec.Slots[1], spec.Slots[2], spec.Slots[3]);
        GH = _weightIh.Shape[0];  // weight_ih is (G·H, I)
        _returnSequences = spec.OutputIsSequence;
        _stateful = spec.Config is RecurrentConfig { Stateful: true };
        StateWidth = _stateful ? H + CellStateWidth : 0;
    }

    public int StateWidth { get; }

    /// <summary>The cell's own state per sample beside h (the LSTM's c): what <see cref="CellState"/> holds per row.</summary>
    protected virtual int CellStateWidth => 0;

    /// <summary>The cell's own state at the window's end, (n, <see cref="CellStateWidth"/>), sized for n samples: the next window's start.</summary>
    protected virtual float[] CellState(int n) => [];

    public void LoadState(ReadOnlySpan<float> states, int n, int width, int offset)
    {
        Scratch.Ensure(ref _final, n * H);
        var cell = CellState(n);
        for (int s = 0; s < n; s++)
        {
            var row = states.Slice(s * width + offset, StateWidth);
            row[..H].CopyTo(_final.AsSpan(s * H, H));
            row[H..].CopyTo(cell.AsSpan(s * CellStateWidth, CellStateWidth));
        }
    }

    public void SaveState(Span<float> states, int n, int width, int offset)
    {
        var cell = CellState(n);
        for (int s = 0; s < n; s++)
        {
            var row = states.Slice(s * width + offset, StateWidth);
            _final.AsSpan(s * H, H).CopyTo(row);
            cell.AsSpan(s * CellStateWidth, CellStateWidth).CopyTo(row[H..]);
        }
    }

    /// <summary>Whether bias_hh joins the input projection; GRU keeps it inside the reset gate's product instead.</summary>
    protected virtual bool BiasHhInGates => true;

    /// <summary>
    /// Whether the backward sweep may write DGates over Gates: true where a step's cell reads its row of the gates
    /// before it writes that row's gradient and no later step reads it. The seed model's gates are 1.3 MB, as large
    /// again as everything else a step touches; one buffer instead of two keeps the sweep inside a 2 MB L2 cache.
    /// </summary>
    protected virtual bool GradientsOverwriteGates => false;

    /// <summary>The gradient of the hidden-side pre-activations (n, T, GH); for rnn and lstm the same as DGates.</summary>
    protected virtual float[] DGatesHidden => DGates;

    protected ReadOnlySpan<float> BiasHh(ReadOnlySpan<float> parameters) => _biasHh.Of(parameters);

    /// <summary>Sizes the cell's own buffers and sets its extra state (the LSTM cell) to zero or to the carried value.</summary>
    protected abstract void BeginForward(int n, int steps, bool carryState);

    /// <summary>Step t for all samples: reads Gates[:, t] (input part) and HPrev[:, t], writes HSeq[:, t].</summary>
    protected abstract void StepForward(ReadOnlySpan<float> parameters, int t, in Pass pass);

    /// <summary>Keeps the cell's extra state at the window's end for the next window.</summary>
    protected abstract void EndForward(int n, int steps);

    /// <summary>Sizes the backward buffers and zeroes the cell's carried gradient.</summary>
    protected abstract void BeginBackward(int n, int steps);

    /// <summary>Step t: DhNext holds dL/dh_t; fills DGates[:, t] (and DGatesHidden) and leaves dL/dh_{t-1} in DhNext.</summary>
    protected abstract void StepBackward(ReadOnlySpan<float> parameters, int t, in Pass pass);

    /// <summary>A padded step t of sample s: the cell's extra state (the LSTM's c_t) takes the value it had before the step.</summary>
    protected virtual void HoldStep(int s, int t, int steps) { }

    /// <summary>The cell's own carried gradient of sample s (the LSTM's dL/dc), which a padded step passes through; empty if none.</summary>
    protected virtual Span<float> CarriedGradient(int s) => default;

    /// <summary>The lengths of the cell's own buffers after a pass of (n, steps): as <see cref="Buffers"/>.</summary>
    protected abstract IEnumerable<double> CellBuffers(double n, double steps);

    public void ReadTokens(TokenInput tokens) => _tokens = tokens;

    /// <summary>
    /// Gates, HPrev, HSeq, the transposed input weight, W_hhᵀ and its packed copy, packed W_hh (each packed copy
    /// counted with a panel of padding), the final state, DGates (none where it is Gates), DhNext, the input gradient,
    /// the carried gradients, the two tables of a layer that reads ids (<see cref="TokenInput"/>), then the cell's.
    /// </summary>
    public IEnumerable<double> Buffers(double samples, double steps)
    {
        double rows = samples * steps, packedPadding = 64.0 * System.Math.Max(H, GH), table = (double)(_tokens?.Vocabulary ?? 0) * GH;
        return [rows * GH, rows * H, rows * H, (double)I * GH, (double)H * GH, (double)H * GH + packedPadding, (double)H * GH + packedPadding,
            samples * H, GradientsOverwriteGates ? 0 : rows * GH, samples * H, rows * I, samples * 2 * H, table, table, .. CellBuffers(samples, steps)];
    }

    public float[] Forward(ReadOnlySpan<float> parameters, float[] input, in Pass pass)
    {
        int n = pass.Samples, T = pass.Steps, rows = n * T;
        _input = input;
        Scratch.Ensure(ref Gates, rows * GH);
        Scratch.Ensure(ref HPrev, rows * H);
        Scratch.Ensure(ref HSeq, rows * H);
        Gemm.Transpose(_weightIh.Of(parameters), GH, I, Scratch.Ensure(ref _weightIhT, I * GH));
        Gemm.Transpose(_weightHh.Of(parameters), GH, H, Scratch.Ensure(ref _weightHhT, H * GH));
        WeightHhT.Pack(_weightHhT, H, GH, GH);

        if (_tokens is { Active: true }) ProjectTokens(parameters, input, rows);
        else ProjectInput(parameters, input, rows, Gates);

        bool carry = pass.FirstStep > 0 || (_stateful && pass.FromState);
        Scratch.Ensure(ref _final, n * H);
        for (int s = 0; s < n; s++)
        {
            var h0 = HPrev.AsSpan(s * T * H, H);
            if (carry) _final.AsSpan(s * H, H).CopyTo(h0);
            else h0.Clear();
        }
        BeginForward(n, T, carry);

        int extent = pass.Extent;
        for (int t = 0; t < T; t++)
        {
            if (t < extent) StepForward(parameters, t, pass);
            for (int s = 0; s < n; s++)
            {
                int row = s * T + t;
                if (t >= extent || !pass.IsReal(s, t))
                {
                    HPrev.AsSpan(row * H, H).CopyTo(HSeq.AsSpan(row * H, H));
                    HoldStep(s, t, T);
                }
                HSeq.AsSpan(row * H, H).CopyTo(t + 1 < T ? HPrev.AsSpan((row + 1) * H, H) : _final.AsSpan(s * H, H));
            }
        }
        EndForward(n, T);
        if (!_returnSequences) return _final;
        if (pass.Mask is not null)
            for (int s = 0; s < n; s++)
                for (int t = 0; t < T; t++)
                    if (!pass.IsReal(s, t)) HSeq.AsSpan((s * T + t) * H, H).Clear();
        return HSeq;
    }

    /// <summary>Keeps (or puts back) sample s's dL/dh and the cell's carried gradient across a step that pads it.</summary>
    private void Carry(int s, bool save)
    {
        var dh = DhNext.AsSpan(s * H, H);
        var kept = _carried.AsSpan(s * 2 * H, 2 * H);
        var cell = CarriedGradient(s);
        if (save)
        {
            dh.CopyTo(kept);
            cell.CopyTo(kept[H..]);
        }
        else
        {
            kept[..H].CopyTo(dh);
            kept.Slice(H, cell.Length).CopyTo(cell);
        }
    }

    /// <summary>A padded row adds nothing to the weight gradients nor to the input gradient.</summary>
    private void ClearGateGradients(int row)
    {
        DGates.AsSpan(row * GH, GH).Clear();
        if (!ReferenceEquals(DGatesHidden, DGates)) DGatesHidden.AsSpan(row * GH, GH).Clear();
    }

    /// <summary>
    /// gates (rows, GH) = x (rows, I) · W_ihᵀ (I, GH) + b_ih (+ b_hh): every timestep at once, row by row for a few
    /// inputs, else one product and then the biases.
    /// </summary>
    private unsafe void ProjectInput(ReadOnlySpan<float> parameters, ReadOnlySpan<float> input, int rows, float[] into)
    {
        bool inRows = I <= InputProjection.MaxRowInputs;
        if (!inRows)
            Gemm.Multiply(rows, GH, I, input, I, 1, _weightIhT, GH, into, GH, accumulate: false);
        fixed (float* x = input, weightT = _weightIhT, gates = into, biasIh = _biasIh.Of(parameters), biasHh = _biasHh.Of(parameters))
        {
            for (int row = 0; row < rows; row++)
            {
                var kernel = new InputProjection(x + row * I, inRows ? I : 0, weightT, biasIh, BiasHhInGates ? biasHh : null, gates + row * GH, GH);
                Rows.Run(ref kernel, GH);
            }
        }
    }

    /// <summary>The gates of ids (n·T) through the table: each token's row projected once, then copied to its rows.</summary>
    private void ProjectTokens(ReadOnlySpan<float> parameters, float[] ids, int rows)
    {
        int vocabulary = _tokens!.Vocabulary;
        ProjectInput(parameters, _tokens.Table.Of(parameters), vocabulary, Scratch.Ensure(ref _tableGates, vocabulary * GH));
        for (int row = 0; row < rows; row++)
            _tableGates.AsSpan((int)ids[row] * GH, GH).CopyTo(Gates.AsSpan(row * GH, GH));
    }

    /// <summary>
    /// Per group, S (V, GH) = the gate gradients of its rows added per token, rows ascending; then db_ih = Σ S rows in
    /// token order, dW_ih (GH, I) = Sᵀ · table (V, I) and the table's gradient (V, I) = S · W_ih (GH, I), added to
    /// another direction's.
    /// </summary>
    private void TokenGradients(ReadOnlySpan<float> parameters, float[] ids, in Pass pass, GradientTarget target)
    {
        var tokens = _tokens!;
        int vocabulary = tokens.Vocabulary, T = pass.Steps;
        var sums = Scratch.Ensure(ref _tokenSums, vocabulary * GH).AsSpan(0, vocabulary * GH);
        var table = tokens.Table.Of(parameters);
        for (int g = 0; g < pass.GroupCount; g++)
        {
            sums.Clear();
            for (int row = pass.GroupStart(g) * T; row < pass.GroupEnd(g) * T; row++)
            {
                var sum = sums.Slice((int)ids[row] * GH, GH);
                TensorPrimitives.Add(sum, DGates.AsSpan(row * GH, GH), sum);
            }
            var gradient = target.Groups[g].AsSpan();
            var bias = _biasIh.Of(gradient);
            if (!target.Accumulate) bias.Clear();
            for (int v = 0; v < vocabulary; v++)
                TensorPrimitives.Add(bias, sums.Slice(v * GH, GH), bias);
            Gemm.Multiply(GH, I, vocabulary, sums, 1, GH, table, I, _weightIh.Of(gradient), I, target.Accumulate);
            Gemm.Multiply(vocabulary, I, GH, sums, GH, 1, _weightIh.Of(parameters), I, tokens.Table.Of(gradient), I,
                target.Accumulate || tokens.GradientWritten);
        }
        tokens.GradientWritten = true;
    }

    public float[]? Backward(ReadOnlySpan<float> parameters, float[] outputGradient, in Pass pass, GradientTarget target, bool wantInputGradient)
    {
        int n = pass.Samples, T = pass.Steps, rows = n * T;
        if (GradientsOverwriteGates) DGates = Gates;
        else Scratch.Ensure(ref DGates, rows * GH);
        Scratch.Ensure(ref DhNext, n * H).AsSpan(0, n * H).Clear();
        WeightHhPacked.Pack(_weightHh.Of(parameters), GH, H, H);
        BeginBackward(n, T);

        int extent = pass.Extent;
        for (int t = T - 1; t >= 0; t--)
        {
            if (_returnSequences || t == T - 1)
            {
                for (int s = 0; s < n; s++)
                {
                    if (_returnSequences && !pass.IsReal(s, t)) continue;
                    var dh = DhNext.AsSpan(s * H, H);
                    int row = _returnSequences ? s * T + t : s;
                    TensorPrimitives.Add(dh, outputGradient.AsSpan(row * H, H), dh);
                }
            }
            if (t >= extent)
            {
                for (int s = 0; s < n; s++) ClearGateGradients(s * T + t);
                continue;
            }
            if (pass.Mask is null)
            {
                StepBackward(parameters, t, pass);
                continue;
            }
            Scratch.Ensure(ref _carried, n * 2 * H);
            for (int s = 0; s < n; s++)
                if (!pass.IsReal(s, t)) Carry(s, save: true);
            StepBackward(parameters, t, pass);
            for (int s = 0; s < n; s++)
            {
                if (pass.IsReal(s, t)) continue;
                Carry(s, save: false);
                ClearGateGradients(s * T + t);
            }
        }

        // dW_ih (GH, I) = Σ dGatesᵀ x (or through the table), dW_hh (GH, H) = Σ dGatesHiddenᵀ h_{t-1}: per group, over all
        // its timesteps at once.
        bool tokens = _tokens is { Active: true };
        if (tokens)
        {
            TokenGradients(parameters, _input, pass, target);
        }
        else
        {
            GroupGradients.Weight(DGates, GH, _input, I, T, pass, target, _weightIh);
            GroupGradients.Bias(DGates, GH, T, pass, target, _biasIh);
        }
        GroupGradients.Weight(DGatesHidden, GH, HPrev, H, T, pass, target, _weightHh);
        if (ReferenceEquals(DGatesHidden, DGates)) GroupGradients.CopyBias(_biasIh, pass, target, _biasHh);
        else GroupGradients.Bias(DGatesHidden, GH, T, pass, target, _biasHh);
        if (tokens || !wantInputGradient) return null;

        // dx (n·T, I) = dGates (n·T, GH) · W_ih (GH, I)
        Gemm.Multiply(rows, I, GH, DGates, GH, 1, _weightIh.Of(parameters), I, Scratch.Ensure(ref _dInput, rows * I), I, accumulate: false);
        return _dInput;
    }
}
