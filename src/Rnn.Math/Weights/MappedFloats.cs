using System.Buffers;
using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace Rnn.Math.Weights;

/// <summary>
/// Float32 values read in place from a memory-mapped file: a tensor's bytes as a <see cref="Memory{T}"/>, so a
/// dataset larger than memory is paged in as it is read, and out again under memory pressure, instead of being
/// copied into the process. The mapping lives as long as this manager (a dataset's: the run).
/// </summary>
internal sealed unsafe partial class MappedFloats : MemoryManager<float>
{
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _start;   // the mapping's first page
    private readonly float* _first;
    private readonly int _length;
    private int _readAtRandom;       // 1 once the mapping is told its reads are by sample (MADV_RANDOM)

    private MappedFloats(MemoryMappedViewAccessor view, byte* start, float* first, int length)
    {
        _view = view;
        _start = start;
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
        return new MappedFloats(view, start, (float*)(start + view.PointerOffset + offset), (int)count);
    }

    private const int Random = 1;    // MADV_RANDOM
    private const int WillNeed = 3;  // MADV_WILLNEED

    /// <summary>
    /// Asks the kernel to read in the pages of rows <paramref name="rows"/> (each <paramref name="width"/> floats) of
    /// <paramref name="data"/> now, all at once, where the data is a mapped file: a shard's samples then come in as
    /// one batch of reads instead of one fault after another as they are copied. Rows in a run of consecutive ids go
    /// as one range. From the first such request on, the mapping's reads are by sample (MADV_RANDOM): Linux would
    /// otherwise read 128 KB around each fault for a sample of a few hundred bytes, and under a memory limit those
    /// pages evict the ones asked for (measured: a shuffled epoch of 880 MB of windows in a 256 MB cgroup went from
    /// 14 of 242 steps in 200 s to all of them in 19 s). Reads before it, a checksum over the whole file say, keep the
    /// kernel's read-ahead. Does nothing for data in memory.
    /// </summary>
    public static void Prefetch(ReadOnlyMemory<float> data, ReadOnlySpan<int> rows, int width)
    {
        if (!OperatingSystem.IsLinux() || rows.IsEmpty || !MemoryMarshal.TryGetMemoryManager(data, out MappedFloats? mapped, out int start, out _))
            return;
        if (Interlocked.Exchange(ref mapped._readAtRandom, 1) == 0)
            _ = Advise(mapped._start, (nuint)(mapped._view.Capacity + mapped._view.PointerOffset), Random);
        int[] sorted = rows.ToArray();
        Array.Sort(sorted);
        long page = Environment.SystemPageSize;
        for (int i = 0; i < sorted.Length;)
        {
            int first = sorted[i], end = first + 1;
            while (++i < sorted.Length && sorted[i] <= end) end = sorted[i] + 1;
            long from = (long)(nint)(mapped._first + start + (long)first * width);
            long to = (long)(nint)(mapped._first + start + (long)end * width);
            long aligned = from / page * page;
            _ = Advise((byte*)aligned, (nuint)(to - aligned), WillNeed);
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Advise(byte* address, nuint length, int advice);

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
