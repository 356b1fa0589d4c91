using System.Text.Json;

namespace Rnn.Math.Weights;

/// <summary>The JSON header of a safetensors file: written in a fixed order, read with every check the format allows.</summary>
internal static class SafeTensorsHeader
{
    private const string MetadataKey = "__metadata__";
    private const string Float32 = "F32";

    /// <summary>The dtypes a file may hold and the bytes of one element: float32, and the integers token ids, class ids and lengths come as.</summary>
    private static readonly Dictionary<string, (TensorDtype Dtype, int Size)> Dtypes = new()
    {
        [Float32] = (TensorDtype.Float32, 4),
        ["I32"] = (TensorDtype.Int32, 4),
        ["I64"] = (TensorDtype.Int64, 8),
    };

    /// <summary>Where one tensor's bytes lie, relative to the start of the data section.</summary>
    public sealed record Entry(string Name, int[] Shape, long Begin, long End, TensorDtype Dtype = TensorDtype.Float32)
    {
        public long ElementCount => NamedTensor.ElementsOf(Shape);
    }

    /// <summary>The header bytes, padded with spaces to a multiple of 8 so the data that follows stays aligned.</summary>
    public static byte[] Encode(IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        foreach (var tensor in tensors)
        {
            if (tensor.ElementCount != tensor.Data.Length)
            {
                throw new ArgumentException(
                    $"tensor \"{tensor.Name}\" has shape {NamedTensor.Format(tensor.Shape)} but {tensor.Data.Length} values", nameof(tensors));
            }
        }
        return Encode([.. tensors.Select(t => (t.Name, t.Shape))], metadata);
    }

    /// <summary>The header of float32 tensors of these names and shapes, in this order.</summary>
    public static byte[] Encode(IReadOnlyList<(string Name, int[] Shape)> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata) json.WriteString(key, value);
                json.WriteEndObject();
            }
            var names = new HashSet<string>();
            long offset = 0;
            foreach (var tensor in tensors)
            {
                if (!names.Add(tensor.Name) || tensor.Name == MetadataKey)
                {
                    throw new ArgumentException($"tensor name \"{tensor.Name}\" is used twice or reserved", nameof(tensors));
                }
                long end = offset + NamedTensor.ElementsOf(tensor.Shape) * sizeof(float);
                json.WriteStartObject(tensor.Name);
                json.WriteString("dtype", Float32);
                json.WriteStartArray("shape");
                foreach (int dimension in tensor.Shape) json.WriteNumberValue(dimension);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        while (buffer.Length % 8 != 0) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>The tensors' entries, checked against the data section's length and each other, in data order.</summary>
    public static List<Entry> Decode(byte[] header, string file, long dataLength, out Dictionary<string, string> metadata)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException)
        {
            throw new InputException($"{file}: the header is not valid JSON: not a safetensors file, or a corrupted one");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new InputException($"{file}: the header is not a JSON object: not a safetensors file, or a corrupted one");
            }
            metadata = [];
            var entries = new List<Entry>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == MetadataKey)
                {
                    metadata = ReadMetadata(property.Value, file);
                    continue;
                }
                entries.Add(ReadEntry(property.Name, property.Value, file, dataLength));
            }
            entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
            for (int i = 1; i < entries.Count; i++)
            {
                if (entries[i].Begin < entries[i - 1].End)
                {
                    throw new InputException($"{file}: tensors \"{entries[i - 1].Name}\" and \"{entries[i].Name}\" overlap in the data section");
                }
            }
            return entries;
        }
    }

    private static Entry ReadEntry(string name, JsonElement value, string file, long dataLength)
    {
        string where = $"{file}: tensor \"{name}\"";
        if (value.ValueKind != JsonValueKind.Object
            || !value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String
            || !value.TryGetProperty("shape", out var shapeJson) || !TryReadLongs(shapeJson, out long[] shape)
            || !value.TryGetProperty("data_offsets", out var offsetsJson) || !TryReadLongs(offsetsJson, out long[] offsets)
            || offsets.Length != 2)
        {
            throw new InputException($"{where}: malformed header entry (expected dtype, shape and data_offsets [begin, end])");
        }
        if (!Dtypes.TryGetValue(dtype.GetString()!, out var kind))
        {
            throw new InputException($"{where} has dtype {dtype.GetString()}, expected {Float32} (float32), or I64 or I32 (integers)");
        }
        if (shape.Any(d => d > int.MaxValue))
        {
            throw new InputException($"{where}: shape [{string.Join(", ", shape)}] is too large");
        }
        long begin = offsets[0], end = offsets[1];
        if (end < begin || end > dataLength)
        {
            throw new InputException(
                $"{where}: data_offsets [{begin}, {end}] lie outside the data section of {dataLength} bytes (truncated file?)");
        }
        int[] dimensions = [.. shape.Select(d => (int)d)];
        long expectedBytes = NamedTensor.ElementsOf(dimensions) * kind.Size;
        if (end - begin != expectedBytes)
        {
            throw new InputException(
                $"{where}: shape {NamedTensor.Format(dimensions)} needs {expectedBytes} bytes but data_offsets [{begin}, {end}] hold {end - begin}");
        }
        return new Entry(name, dimensions, begin, end, kind.Dtype);
    }

    private static Dictionary<string, string> ReadMetadata(JsonElement value, string file)
    {
        if (value.ValueKind != JsonValueKind.Object || value.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String))
        {
            throw new InputException($"{file}: {MetadataKey} must map names to strings");
        }
        return value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    private static bool TryReadLongs(JsonElement array, out long[] values)
    {
        values = [];
        if (array.ValueKind != JsonValueKind.Array) return false;
        var list = new List<long>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out long v) || v < 0) return false;
            list.Add(v);
        }
        values = [.. list];
        return true;
    }
}
