namespace Rnn.Math.Weights;

/// <summary>The tensors of one safetensors file, looked up by name with errors that name the file and tensor.</summary>
public sealed class SafeTensorsFile(string fileName, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string> metadata)
{
    private readonly Dictionary<string, NamedTensor> byName = tensors.ToDictionary(t => t.Name);

    /// <summary>The file's name (without folder), as messages show it.</summary>
    public string FileName { get; } = fileName;

    /// <summary>The tensors in the order of their data in the file.</summary>
    public IReadOnlyList<NamedTensor> Tensors { get; } = tensors;

    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    public bool Contains(string name) => byName.ContainsKey(name);

    /// <summary>The tensor called <paramref name="name"/>; its absence is the user's error.</summary>
    public NamedTensor Get(string name)
    {
        if (byName.TryGetValue(name, out var tensor)) return tensor;
        string held = Tensors.Count == 0 ? "it holds no tensors" : $"it holds {Config.NearestName.List([.. Tensors.Select(t => t.Name)], 8)}";
        throw new InputException($"{FileName}: no tensor \"{name}\" ({held})");
    }

    /// <summary>The data of the tensor called <paramref name="name"/>, which must have exactly <paramref name="shape"/>.</summary>
    public ReadOnlyMemory<float> Require(string name, params int[] shape)
    {
        var tensor = Get(name);
        if (!tensor.Shape.SequenceEqual(shape))
        {
            throw new InputException(
                $"{FileName}: tensor \"{name}\" has shape {NamedTensor.Format(tensor.Shape)}, expected {NamedTensor.Format(shape)}");
        }
        return tensor.Data;
    }
}
