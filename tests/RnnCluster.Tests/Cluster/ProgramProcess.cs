using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// `rnn-worker` or `rnn-cluster` as a user runs it: a separate process, its output lines collected as they
/// come, each with the time it arrived. Disposing kills it if it still runs.
/// </summary>
internal sealed partial class ProgramProcess : IAsyncDisposable
{
    public const string WorkerProgram = "rnn-worker";
    public const string ClusterProgram = "rnn-cluster";

    private readonly Process _process;
    private readonly ConcurrentQueue<(TimeSpan At, string Line)> _stdout = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly Stopwatch _clock;

    private ProgramProcess(Process process, Stopwatch clock)
    {
        _process = process;
        _clock = clock;
    }

    /// <param name="clock">The time lines are stamped with; one clock for several processes orders their events.</param>
    public static ProgramProcess Start(string program, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, Stopwatch? clock = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, $"{program}.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        var started = new ProgramProcess(Process.Start(start)!, clock ?? Stopwatch.StartNew());
        started._process.OutputDataReceived += (_, e) => { if (e.Data is not null) started._stdout.Enqueue((started._clock.Elapsed, e.Data)); };
        started._process.ErrorDataReceived += (_, e) => { if (e.Data is not null) started._stderr.Enqueue(e.Data); };
        started._process.BeginOutputReadLine();
        started._process.BeginErrorReadLine();
        return started;
    }

    public string[] Output => _stdout.Select(l => l.Line).ToArray();

    public string[] Errors => _stderr.ToArray();

    public bool HasExited => _process.HasExited;

    /// <summary>The process's id, as the operating system knows it.</summary>
    public int Id => _process.Id;

    /// <summary>
    /// When the first output line matching <paramref name="match"/> arrived (the first after <paramref name="after"/>
    /// when given), on the process's clock; null if none did.
    /// </summary>
    public TimeSpan? TimeOf(Func<string, bool> match, TimeSpan? after = null)
    {
        foreach (var (at, line) in _stdout)
            if (at >= (after ?? TimeSpan.Zero) && match(line)) return at;
        return null;
    }

    /// <summary><see cref="TimeOf"/> the first matching line, once it comes.</summary>
    public async Task<TimeSpan> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (TimeOf(match) is { } at) return at;
            if (_process.HasExited) break;
            await Task.Delay(100);
        }
        if (TimeOf(match) is { } last) return last;
        throw new TimeoutException($"no such line within {timeout.TotalSeconds:0} s; output:\n{string.Join('\n', Output)}\nerrors:\n{string.Join('\n', Errors)}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"still running after {timeout.TotalSeconds:0} s; output:\n{string.Join('\n', Output)}\nerrors:\n{string.Join('\n', Errors)}");
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as docker stop, systemd and Kubernetes send it.</summary>
    public void Terminate() => Signal(Sigterm);

    /// <summary>SIGINT, as Ctrl+C in its terminal sends it.</summary>
    public void Interrupt() => Signal(Sigint);

    /// <summary>SIGKILL: the process dies without a word to anyone.</summary>
    public void KillHard() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Signal(int signal) =>
        Assert.True(Kill(_process.Id, signal) == 0, _process.HasExited ? $"signal {signal} came after the process had exited with code {_process.ExitCode}" : $"signal {signal} was not sent");

    private const int Sigint = 2;
    private const int Sigterm = 15;

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);
}
