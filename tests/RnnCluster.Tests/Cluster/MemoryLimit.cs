using System.Globalization;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// A memory cgroup of its own for one process (Linux, as root: cgroup v2's memory.max, or v1's memory controller),
/// limited to <c>limitBytes</c>: what the process may hold, its page cache included. Removed on dispose.
/// </summary>
internal sealed class MemoryLimit : IDisposable
{
    private readonly string _folder;
    private readonly bool _v2;

    public MemoryLimit(string name, long limitBytes)
    {
        _v2 = File.Exists("/sys/fs/cgroup/cgroup.controllers");
        string root = _v2 ? "/sys/fs/cgroup" : "/sys/fs/cgroup/memory";
        Assert.True(Directory.Exists(root) && Environment.UserName == "root",
            $"a memory limit needs root and a memory cgroup controller at {root}: the tests run as root (.ci/run)");
        _folder = Path.Combine(root, $"rnn-test-{name}-{Environment.ProcessId}");
        Directory.CreateDirectory(_folder);
        File.WriteAllText(Path.Combine(_folder, _v2 ? "memory.max" : "memory.limit_in_bytes"), limitBytes.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Puts the process into the group: what it touches from now on counts against the limit.</summary>
    public void Add(int processId) => File.WriteAllText(Path.Combine(_folder, "cgroup.procs"), processId.ToString(CultureInfo.InvariantCulture));

    /// <summary>The most the group has held at once, in bytes.</summary>
    public long Peak => long.Parse(File.ReadAllText(Path.Combine(_folder, _v2 ? "memory.peak" : "memory.max_usage_in_bytes")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>How often the group hit its limit and had memory taken back (v1's failcnt, v2's memory.events max).</summary>
    public long LimitHits => _v2
        ? File.ReadAllLines(Path.Combine(_folder, "memory.events")).Select(l => l.Split(' ')).Where(p => p[0] == "max").Select(p => long.Parse(p[1], CultureInfo.InvariantCulture)).Single()
        : long.Parse(File.ReadAllText(Path.Combine(_folder, "memory.failcnt")).Trim(), CultureInfo.InvariantCulture);

    public void Dispose()
    {
        // A group can only be removed once empty: its processes have exited (the caller stops them first).
        for (int attempt = 0; attempt < 50 && Directory.Exists(_folder); attempt++)
        {
            try
            {
                Directory.Delete(_folder);
            }
            catch (IOException)
            {
                Thread.Sleep(100);
            }
        }
    }
}
