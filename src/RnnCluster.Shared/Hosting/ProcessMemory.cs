using System.Diagnostics;

namespace RnnCluster.Shared.Hosting;

/// <summary>What this process has held: the figure `bench` and a finished worker report.</summary>
public static class ProcessMemory
{
    /// <summary>The most resident memory this process has had at once (Linux's VmHWM), pages of mapped files included.</summary>
    public static long PeakResidentBytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64;
    }
}
