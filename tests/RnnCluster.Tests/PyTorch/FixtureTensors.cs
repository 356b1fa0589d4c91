using Rnn.Math.Model;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.PyTorch;

/// <summary>What the PyTorch tests take out of a fixture's safetensors file.</summary>
public static class FixtureTensors
{
    public static float[] Values(this SafeTensorsFile file, string name) => file.Get(name).Data.ToArray();

    /// <summary>A flat parameter buffer in <paramref name="layout"/>, filled from the tensors named prefix + the name docs/contract.md gives.</summary>
    public static float[] Parameters(this SafeTensorsFile file, ParameterLayout layout, string prefix = "")
    {
        var parameters = new float[layout.Count];
        foreach (var slot in layout.Slots)
            file.Get(prefix + slot.Name).Data.Span.CopyTo(slot.Of(parameters.AsSpan()));
        return parameters;
    }
}
