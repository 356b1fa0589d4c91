using System.Globalization;

namespace Rnn.Math.Model;

/// <summary>What a part of a memory estimate grows with: the model's parameters, a shard's activations, or the data.</summary>
public enum MemoryKind { Parameters, Activations, Data }

/// <summary>One part of an estimate: what it is, its size in bytes, and what makes it grow.</summary>
public sealed record MemoryPart(string What, double Bytes, MemoryKind Kind);

/// <summary>The longest single array of an estimate, in values; .NET holds at most <see cref="Array.MaxLength"/> in one, whatever the machine.</summary>
public sealed record LongestArray(string What, double Values, MemoryKind Kind);

/// <summary>
/// The memory one role of a training run (a worker, the coordinator) needs, worked out from sizes alone before
/// anything large is allocated: named parts and the longest single array. Sizes are doubles because a product
/// of three ints (samples × timesteps × gate rows) can overflow a long.
/// </summary>
public sealed record MemoryEstimate(IReadOnlyList<MemoryPart> Parts, LongestArray Longest)
{
    /// <summary>The memory this process may use: the machine's, or its container's limit (what the GC sees).</summary>
    public static double MachineBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    public double Bytes => Parts.Sum(p => p.Bytes);

    public bool FitsInArrays => Longest.Values <= Array.MaxLength;

    /// <summary>Bytes of the parts of <paramref name="kind"/>.</summary>
    public double BytesOf(MemoryKind kind) => Parts.Where(p => p.Kind == kind).Sum(p => p.Bytes);

    /// <summary><c>weights 1.2 GB, gradients of 8 groups 9.8 GB, ...</c>: every part that is not empty.</summary>
    public string Describe() => string.Join(", ", Parts.Where(p => p.Bytes > 0).Select(p => $"{p.What} {Size(p.Bytes)}"));

    /// <summary><c>40,000,000,000 values (149.0 GB)</c>: a count of float32 values and the memory they would take.</summary>
    public static string Values(double count) => string.Create(CultureInfo.InvariantCulture, $"{count:N0} values ({Size(count * sizeof(float))})");

    /// <summary>Bytes as a person reads them, in powers of 1024: <c>512 B</c>, <c>3.1 KB</c>, <c>7.4 GB</c>.</summary>
    public static string Size(double bytes)
    {
        string[] units = ["B", "KB", "MB", "GB", "TB", "PB", "EB"];
        int unit = 0;
        while (bytes >= 1024 && unit < units.Length - 1)
        {
            bytes /= 1024;
            unit++;
        }
        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes:0} B")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.0} {units[unit]}");
    }
}
