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
    /// one batch of reads instead of one fault after another as they are copied. Ranges that meet go as one. The
    /// first such request also tells the kernel that the mapping is read by sample from then on (MADV_RANDOM): Linux
    /// would otherwise read about 128 KB around each fault for a sample of a few hundred bytes, and under a memory
    /// limit those pages evict the ones about to be read. Reads before it, a checksum over the whole file say, keep
    /// the kernel's read-ahead. Measured on a shuffled epoch of 804 MB of windows in a 256 MB cgroup: 14 of its 242
    /// steps in 200 s as the kernel chose, 64 s with MADV_RANDOM alone, 19-22 s with both. Does nothing for data in memory.
    /// </summary>
    public static void Prefetch(ReadOnlyMemory<float> data, ReadOnlySpan<int> rows, int width)
    {
        if (!OperatingSystem.IsLinux() || rows.IsEmpty || !MemoryMarshal.TryGetMemoryManager(data, out MappedFloats? mapped, out int start, out _))
            return;
        if (Volatile.Read(ref mapped._readAtRandom) == 0 && Interlocked.Exchange(ref mapped._readAtRandom, 1) == 0)
            _ = Advise(mapped._start, (nuint)(mapped._view.Capacity + mapped._view.PointerOffset), Random);
        int[] sorted = rows.ToArray();
        Array.Sort(sorted);
        long page = Environment.SystemPageSize;
        var ranges = new List<Range>();
        foreach (int row in sorted)
        {
            long from = (long)(nint)(mapped._first + start + (long)row * width) / page * page;
            long to = (long)(nint)(mapped._first + start + (long)(row + 1) * width);
            if (ranges.Count > 0 && ranges[^1].End >= from) ranges[^1] = ranges[^1] with { Length = (nuint)(System.Math.Max(to, ranges[^1].End) - ranges[^1].Start) };
            else ranges.Add(new Range(from, (nuint)(to - from)));
        }
        AdviseAll(CollectionsMarshal.AsSpan(ranges));
    }

    /// <summary>One range of pages to advise on: an iovec, as process_madvise takes them.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly record struct Range(long Start, nuint Length)
    {
        public long End => Start + (long)Length;
    }

    // process_madvise(2) takes up to this many ranges a call: a shard of thousands of shuffled samples is then a few
    // system calls instead of one each (which cost a data-heavy model 17% of its step with the data in memory).
    private const int MaxRangesPerCall = 1024;
    private const long ProcessMadvise = 440, PidfdOpen = 434;  // x86-64 and arm64 system call numbers alike
    private static readonly Lazy<int> OwnProcess = new(() => (int)Syscall(PidfdOpen, Environment.ProcessId, 0, 0, 0, 0));
    private static bool _batched = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    private static void AdviseAll(ReadOnlySpan<Range> ranges)
    {
        if (_batched && OwnProcess.Value >= 0)
        {
            fixed (Range* first = ranges)
            {
                for (int at = 0; at < ranges.Length && _batched; at += MaxRangesPerCall)
                    _batched = Syscall(ProcessMadvise, OwnProcess.Value, (long)(first + at), System.Math.Min(MaxRangesPerCall, ranges.Length - at), WillNeed, 0) >= 0;
            }
            if (_batched) return;
        }
        // A kernel before 5.10 has no process_madvise: one call a range.
        foreach (var range in ranges) _ = Advise((byte*)range.Start, range.Length, WillNeed);
    }

    [LibraryImport("libc", EntryPoint = "syscall")]
    private static partial long Syscall(long number, long a, long b, long c, long d, long e);

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
