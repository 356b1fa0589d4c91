using Rnn.Math.Model;

namespace Rnn.Math.Layers;

/// <summary>
/// An embedding's table as the layer right after it reads it: instead of the embedded rows (n, T, E) it is given
/// the ids (n, T) and projects the table's V rows once a pass rather than n·T rows. Each row of that projection is
/// the product of <see cref="Kernels.Gemm"/>'s FMA chain over the same E floats, so the gates have the bits the
/// embedded rows would give. Its backward pass sums the gate gradients of a group's rows per token first
/// (rows ascending) and takes the weight's and the table's gradients from those V sums: a product with K = V
/// instead of K = the group's rows. The bits of those two gradients differ from the row-by-row sums' (the same
/// math, another order of additions) and are the same for any split of the samples. Used when a group holds at
/// least twice as many rows as the table (<see cref="Applies"/>), where it saves work: a character model's table
/// of a hundred rows against groups of hundreds of steps.
/// </summary>
internal sealed class TokenInput(TensorSlot table, int vocabulary)
{
    /// <summary>The table (V, E) within the parameters and within each group's gradient.</summary>
    public TensorSlot Table => table;

    /// <summary>V, the rows of the table.</summary>
    public int Vocabulary => vocabulary;

    /// <summary>Whether the current pass reads ids through the table (set by the embedding's forward pass).</summary>
    public bool Active { get; private set; }

    /// <summary>Whether a reader has written this pass's table gradient of each group yet: a second direction adds to the first's.</summary>
    public bool GradientWritten { get; set; }

    /// <summary>Whether a pass of this shape gains from the table: a whole group's rows at least twice the table's.</summary>
    public bool Applies(in Pass pass) => 2L * vocabulary <= (long)pass.GroupSize * pass.Steps;

    public void Begin(bool active)
    {
        Active = active;
        GradientWritten = false;
    }
}

/// <summary>A layer that can read its input as token ids through the table of the embedding before it.</summary>
internal interface ITokenReader
{
    void ReadTokens(TokenInput tokens);
}
