using System.Buffers.Binary;
using System.Text.Json;
using Rnn.Math.Model;

namespace RnnCluster.Tests.PyTorch;

/// <summary>
/// A safetensors file written by tests/fixtures_generator: float32 tensors by name, and the string metadata.
/// Layout: an 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}}, raw data.
/// </summary>
public sealed class FixtureFile
{
    private readonly Dictionary<string, (int[] Shape, float[] Values)> _tensors;

    private FixtureFile(Dictionary<string, (int[] Shape, float[] Values)> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        _tensors = tensors;
        Metadata = metadata;
    }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public IEnumerable<string> Names => _tensors.Keys;

    public float[] this[string name] => _tensors.TryGetValue(name, out var tensor)
        ? tensor.Values
        : throw new KeyNotFoundException($"the fixture has no tensor '{name}'");

    public int[] ShapeOf(string name) => _tensors[name].Shape;

    /// <summary>A flat parameter buffer in <paramref name="layout"/>, filled from the tensors named prefix + CONTRACT name.</summary>
    public float[] Parameters(ParameterLayout layout, string prefix = "")
    {
        var parameters = new float[layout.Count];
        foreach (var slot in layout.Slots)
            this[prefix + slot.Name].CopyTo(slot.Of(parameters.AsSpan()));
        return parameters;
    }

    public static FixtureFile Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        int dataStart = 8 + headerLength;
        using var header = JsonDocument.Parse(bytes.AsMemory(8, headerLength));
        var tensors = new Dictionary<string, (int[], float[])>();
        var metadata = new Dictionary<string, string>();
        foreach (var entry in header.RootElement.EnumerateObject())
        {
            if (entry.Name == "__metadata__")
            {
                foreach (var item in entry.Value.EnumerateObject())
                    metadata[item.Name] = item.Value.GetString()!;
                continue;
            }
            int[] shape = entry.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
            var offsets = entry.Value.GetProperty("data_offsets");
            int begin = offsets[0].GetInt32(), end = offsets[1].GetInt32();
            var values = new float[(end - begin) / sizeof(float)];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(dataStart + begin + i * sizeof(float)));
            tensors[entry.Name] = (shape, values);
        }
        return new FixtureFile(tensors, metadata);
    }
}
