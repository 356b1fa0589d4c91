using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// rnn-cluster or rnn-worker run as a user runs it: its own process, its output collected, signalled as a
/// terminal or a container runtime would. Disposing kills it if it still runs.
/// </summary>
internal sealed partial class ProgramProcess : IDisposable
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private readonly Process process;
    private readonly StringBuilder stdout = new();
    private readonly StringBuilder stderr = new();

    private ProgramProcess(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static ProgramProcess Cluster(params string[] args) => new("rnn-cluster.dll", args, null);

    public static ProgramProcess Worker(IReadOnlyDictionary<string, string> environment, params string[] args) => new("rnn-worker.dll", args, environment);

    public int Id => process.Id;

    public string Stdout => Read(stdout);

    public string Stderr => Read(stderr);

    public int ExitCode => process.ExitCode;

    public bool HasExited => process.HasExited;

    /// <summary>Sends <paramref name="signal"/> (SIGTERM, SIGINT...) as `kill -s` does.</summary>
    public void Signal(int signal)
    {
        if (kill(process.Id, signal) != 0) throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Waits for the process to end, its output read to the end; false when it still runs after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        process.Dispose();
    }

    private static void Append(StringBuilder buffer, string? line)
    {
        if (line is null) return;
        lock (buffer) buffer.Append(line).Append('\n');
    }

    private static string Read(StringBuilder buffer)
    {
        lock (buffer) return buffer.ToString();
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);
}
