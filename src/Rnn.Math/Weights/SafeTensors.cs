using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Rnn.Math.Weights;

/// <summary>
/// The safetensors format for float32 tensors: an 8-byte little-endian header length N, N bytes of JSON
/// header `{name: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}`,
/// then the raw little-endian data, offsets counted from the end of the header. PyTorch's and Hugging Face's
/// readers load what this writes. The floats are copied as memory, which is little-endian on every platform
/// .NET runs this on (x64, Arm64).
/// </summary>
public static class SafeTensors
{
    /// <summary>
    /// Writes the tensors in the order given, so the same tensors always give the same bytes. The file
    /// appears atomically: it is written beside the target and then renamed over it, so a crash never leaves
    /// a half-written model where a good one was.
    /// </summary>
    public static void Write(string path, IReadOnlyList<NamedTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        byte[] header = SafeTensorsHeader.Encode(tensors, metadata);
        AtomicFile.Write(path, stream =>
        {
            WriteHeader(stream, header);
            foreach (var tensor in tensors) stream.Write(MemoryMarshal.AsBytes(tensor.Data.Span));
        });
    }

    /// <summary>The header's length as 8 bytes little-endian, then the header.</summary>
    private static void WriteHeader(Stream stream, byte[] header)
    {
        Span<byte> length = stackalloc byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
        stream.Write(length);
        stream.Write(header);
    }

    /// <summary>
    /// Writes float32 tensors whose values are made as they are written, none of them held whole: for each tensor in
    /// turn <paramref name="write"/> is given its index and the file's stream, and must write exactly its values.
    /// </summary>
    public static void Write(string path, IReadOnlyList<(string Name, int[] Shape)> layout, Action<int, Stream> write)
    {
        byte[] header = SafeTensorsHeader.Encode(layout, null);
        AtomicFile.Write(path, stream =>
        {
            WriteHeader(stream, header);
            for (int i = 0; i < layout.Count; i++)
            {
                long start = stream.Position;
                write(i, stream);
                long expected = NamedTensor.ElementsOf(layout[i].Shape) * sizeof(float);
                if (stream.Position - start != expected)
                    throw new InvalidOperationException($"tensor \"{layout[i].Name}\" was written as {stream.Position - start} bytes, its shape needs {expected}");
            }
        });
    }

    /// <summary>
    /// Where <paramref name="tensor"/> is a mapped file's (<see cref="Map"/>), starts reading the pages of its rows
    /// <paramref name="rows"/> (of <paramref name="width"/> floats each) in one batch, ahead of their use, and from
    /// then on reads the file by sample (no read-ahead around each fault); a tensor in memory is left as it is.
    /// </summary>
    public static void Prefetch(ReadOnlyMemory<float> tensor, ReadOnlySpan<int> rows, int width) => MappedFloats.Prefetch(tensor, rows, width);

    /// <summary>Reads and checks a whole file; every defect is an <see cref="InputException"/> naming the file and tensor.</summary>
    public static SafeTensorsFile Read(string path) => Open(path, mapped: false);

    /// <summary>
    /// As <see cref="Read"/>, but each float32 tensor's values are the file's own bytes, memory-mapped
    /// (<see cref="MappedFloats"/>): nothing of them is read until it is used, and what is read can be paged out
    /// again. Integer tensors (ids, lengths) are read into floats as <see cref="Read"/> reads them. A mapping lives
    /// as long as the process, since spans of it may be anywhere: the same file (path, size and time of its last
    /// write) asked for again is the same mapping, so a process that reads a file many times maps it once.
    /// </summary>
    public static SafeTensorsFile Map(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) return Open(path, mapped: true);
        var key = (info.FullName, info.Length, info.LastWriteTimeUtc);
        lock (Mapped)
        {
            if (!Mapped.TryGetValue(key, out var file)) Mapped[key] = file = Open(path, mapped: true);
            return file;
        }
    }

    private static readonly Dictionary<(string Path, long Length, DateTime Written), SafeTensorsFile> Mapped = new();

    private static SafeTensorsFile Open(string path, bool mapped)
    {
        if (!File.Exists(path)) throw new InputException($"safetensors file not found: {path}");
        string file = Path.GetFileName(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
        long fileLength = stream.Length;
        if (fileLength < 8)
        {
            throw new InputException($"{file}: truncated: {fileLength} bytes, but a safetensors file starts with an 8-byte header length");
        }
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > (ulong)(fileLength - 8))
        {
            throw new InputException(
                $"{file}: the header length ({headerLength} bytes) runs past the end of the file ({fileLength} bytes): truncated or not a safetensors file");
        }
        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataStart = 8 + (long)headerLength;
        var entries = SafeTensorsHeader.Decode(header, file, fileLength - dataStart, out var metadata);
        using var mapping = mapped && entries.Any(e => e.Dtype == TensorDtype.Float32 && e.ElementCount > 0)
            ? MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true)
            : null;
        var tensors = new List<NamedTensor>(entries.Count);
        foreach (var entry in entries)
        {
            if (mapping is not null && entry.Dtype == TensorDtype.Float32 && entry.ElementCount > 0
                && MappedFloats.Map(mapping, dataStart + entry.Begin, entry.ElementCount) is { } view)
            {
                tensors.Add(new NamedTensor(entry.Name, entry.Shape, view.Memory) { Mapped = true });
                continue;
            }
            var data = new float[entry.ElementCount];
            stream.Position = dataStart + entry.Begin;
            if (entry.Dtype == TensorDtype.Float32) stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            else ReadIntegers(stream, entry, file, data);
            tensors.Add(new NamedTensor(entry.Name, entry.Shape, data) { Dtype = entry.Dtype });
        }
        return new SafeTensorsFile(file, tensors, metadata);
    }

    /// <summary>
    /// The integers that token ids, class ids and lengths come as (int64 from PyTorch, int32), held as floats: exact
    /// up to 2^24 in magnitude, which any vocabulary, class count or length a model can have stays below.
    /// </summary>
    private static void ReadIntegers(Stream stream, SafeTensorsHeader.Entry entry, string file, float[] data)
    {
        const long Exact = 1L << 24;
        int size = entry.Dtype == TensorDtype.Int64 ? 8 : 4;
        var bytes = new byte[System.Math.Min(entry.End - entry.Begin, 1 << 20)];
        long index = 0;
        while (index < data.Length)
        {
            int count = (int)System.Math.Min(bytes.Length / size, data.Length - index);
            stream.ReadExactly(bytes.AsSpan(0, count * size));
            for (int i = 0; i < count; i++, index++)
            {
                long value = size == 8
                    ? System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(i * 8))
                    : System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(i * 4));
                if (value > Exact || value < -Exact)
                    throw new InputException($"{file}: tensor \"{entry.Name}\" holds {value} at {new NamedTensor(entry.Name, entry.Shape, data).IndexOf((int)index)}, larger than an id, class or length can be (at most {Exact})");
                data[index] = value;
            }
        }
    }
}
