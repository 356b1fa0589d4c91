using Rnn.Math;
using Rnn.Math.Model;
using Rnn.Math.Weights;

namespace RnnCluster.Coordinator.Output;

/// <summary>
/// Moves the flat parameter array to and from safetensors files, one tensor per slot of the network's
/// layout, named and shaped as PyTorch names and shapes them (CONTRACT.md).
/// </summary>
public static class ModelWeights
{
    public const string FileName = "model.safetensors";

    /// <summary>Writes atomically: the safetensors writer renames a finished temporary file over the target.</summary>
    public static void Save(string path, Network network, float[] parameters) =>
        SafeTensors.Write(path, network.Layout.Slots
            .Select(slot => new NamedTensor(slot.Name, slot.Shape, parameters.AsMemory(slot.Offset, slot.Length)))
            .ToList());

    /// <summary>Every tensor of the network, with its exact shape; anything missing or misshapen is the user's error.</summary>
    public static float[] Load(string path, Network network, string flag)
    {
        var file = SafeTensors.Read(path);
        var parameters = new float[network.ParameterCount];
        foreach (var slot in network.Layout.Slots)
        {
            if (!file.Contains(slot.Name))
                throw new InputException($"{flag} {file.FileName}: tensor {slot.Name} is missing; expected shape {NamedTensor.Format(slot.Shape)}");
            var tensor = file.Get(slot.Name);
            if (!tensor.Shape.SequenceEqual(slot.Shape))
                throw new InputException($"{flag} {file.FileName}: tensor {slot.Name} has shape {NamedTensor.Format(tensor.Shape)}, expected {NamedTensor.Format(slot.Shape)}");
            tensor.Data.Span.CopyTo(slot.Of(parameters.AsSpan()));
        }
        return parameters;
    }
}
