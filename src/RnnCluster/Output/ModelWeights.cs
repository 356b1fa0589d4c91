using Rnn.Math;
using Rnn.Math.Model;
using Rnn.Math.Training;
using Rnn.Math.Weights;
using RnnCluster.Coordinator.Checkpoints;

namespace RnnCluster.Coordinator.Output;

/// <summary>
/// Moves the flat parameter array to and from safetensors files, one tensor per slot of the network's
/// layout, named and shaped as PyTorch names and shapes them (docs/contract.md). No value that is not finite is
/// written or read: training never takes such a step, so one in a file is damage.
/// </summary>
public static class ModelWeights
{
    /// <summary>The weights' name in the run folder.</summary>
    public const string FileName = "model.safetensors";

    /// <summary>Writes atomically: the safetensors writer renames a finished temporary file over the target.</summary>
    public static void Save(string path, Network network, float[] parameters)
    {
        RequireFinite(parameters, network.Layout, path);
        SafeTensors.Write(path, network.Layout.Slots
            .Select(slot => new NamedTensor(slot.Name, slot.Shape, parameters.AsMemory(slot.Offset, slot.Length)))
            .ToList());
    }

    /// <summary>Refuses to write weights that are not all finite: training skips every step that would make them so, so these are a bug.</summary>
    public static void RequireFinite(ReadOnlySpan<float> values, ParameterLayout layout, string path)
    {
        if (NonFinite.Find(values, layout) is { } bad)
            throw new InvalidOperationException($"{path} was not written: the weights to write have {bad}");
    }

    /// <summary>
    /// Every tensor of the network, with its exact shape, and nothing else; anything else is the user's error. A
    /// tensor may carry its former name (`layers.0.weight_ih` for `layers.0.weight_ih_l0`), as files written before
    /// the PyTorch names do. A checkpoint serves too: its model tensors are read, its optimizer state left.
    /// </summary>
    public static float[] Load(string path, Network network, string flag)
    {
        var file = SafeTensors.Read(path);
        var names = network.Layout.Slots.SelectMany(slot => slot.FormerName is { } former ? [slot.Name, former] : new[] { slot.Name }).ToHashSet();
        if (CheckpointFile.IsCheckpoint(file))
        {
            CheckpointFile.Check(path, file);
            names.UnionWith(file.Tensors.Select(t => t.Name).Where(CheckpointFile.IsOptimizerTensor));
        }
        // Strict like PyTorch's load_state_dict: a tensor the model lacks means the file is for another model.
        if (file.Tensors.FirstOrDefault(t => !names.Contains(t.Name)) is { } unexpected)
            throw new InputException($"{flag} {file.FileName}: tensor {unexpected.Name} is not part of this model; " +
                $"expected {string.Join(", ", network.Layout.Slots.Select(slot => slot.Name))}");
        var parameters = new float[network.ParameterCount];
        foreach (var slot in network.Layout.Slots)
        {
            var tensor = file.Get(NameInFile(file, slot, flag));
            if (!tensor.Shape.SequenceEqual(slot.Shape))
                throw new InputException($"{flag} {file.FileName}: tensor {tensor.Name} has shape {NamedTensor.Format(tensor.Shape)}, expected {NamedTensor.Format(slot.Shape)}");
            tensor.RequireFinite($"{flag} {file.FileName}");
            tensor.Data.Span.CopyTo(slot.Of(parameters.AsSpan()));
        }
        return parameters;
    }

    /// <summary>The slot's name, or its former name, whichever the file holds; both or neither is an error.</summary>
    private static string NameInFile(SafeTensorsFile file, TensorSlot slot, string flag)
    {
        bool current = file.Contains(slot.Name), former = slot.FormerName is { } old && file.Contains(old);
        if (current && former)
            throw new InputException($"{flag} {file.FileName}: tensors {slot.Name} and {slot.FormerName} are the same tensor; keep one");
        if (!current && !former)
            throw new InputException($"{flag} {file.FileName}: tensor {slot.Name} is missing; expected shape {NamedTensor.Format(slot.Shape)}");
        return current ? slot.Name : slot.FormerName!;
    }
}
