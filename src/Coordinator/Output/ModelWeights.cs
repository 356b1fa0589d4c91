using Rnn.Math;
using Rnn.Math.Model;
using Rnn.Math.Weights;

namespace RnnCluster.Coordinator.Output;

/// <summary>
/// Moves the flat parameter array to and from safetensors files, one tensor per slot of the network's
/// layout, named and shaped as PyTorch names and shapes them (docs/contract.md).
/// </summary>
public static class ModelWeights
{
    public const string FileName = "model.safetensors";

    /// <summary>Writes atomically: the safetensors writer renames a finished temporary file over the target.</summary>
    public static void Save(string path, Network network, float[] parameters) =>
        SafeTensors.Write(path, network.Layout.Slots
            .Select(slot => new NamedTensor(slot.Name, slot.Shape, parameters.AsMemory(slot.Offset, slot.Length)))
            .ToList());

    /// <summary>Every tensor of the network, with its exact shape, and nothing else; anything else is the user's error.</summary>
    public static float[] Load(string path, Network network, string flag)
    {
        var file = SafeTensors.Read(path);
        // Strict like PyTorch's load_state_dict: a tensor the model lacks means the file is for another model.
        if (file.Tensors.FirstOrDefault(t => !network.Layout.TryGet(t.Name, out _)) is { } unexpected)
            throw new InputException($"{flag} {file.FileName}: tensor {unexpected.Name} is not part of this model; " +
                $"expected {string.Join(", ", network.Layout.Slots.Select(slot => slot.Name))}");
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
