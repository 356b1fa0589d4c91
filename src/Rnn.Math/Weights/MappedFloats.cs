using System.Buffers;
using System.IO.MemoryMappedFiles;

namespace Rnn.Math.Weights;

/// <summary>
/// Float32 values read in place from a memory-mapped file: a tensor's bytes as a <see cref="Memory{T}"/>, so a
/// dataset larger than memory is paged in as it is read, and out again under memory pressure, instead of being
/// copied into the process. The mapping lives as long as this manager (a dataset's: the run).
/// </summary>
internal sealed unsafe class MappedFloats : MemoryManager<float>
{
    private readonly MemoryMappedViewAccessor _view;
    private readonly float* _first;
    private readonly int _length;

    private MappedFloats(MemoryMappedViewAccessor view, float* first, int length)
    {
        _view = view;
        _first = first;
        _length = length;
    }

    /// <summary>
    /// The <paramref name="count"/> floats at byte <paramref name="offset"/> of <paramref name="file"/>, or null where
    /// they cannot be one span (more than an array's length, or not at a multiple of 4 bytes).
    /// </summary>
    public static MappedFloats? Map(MemoryMappedFile file, long offset, long count)
    {
        if (count > Array.MaxLength || offset % sizeof(float) != 0) return null;
        var view = file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* start = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
        return new MappedFloats(view, (float*)(start + view.PointerOffset + offset), (int)count);
    }

    public override Span<float> GetSpan() => new(_first, _length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(_first + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
    }
}
