using System.Diagnostics;
using System.Text;
using RnnCluster.Coordinator.Cli;

namespace RnnCluster.Tests.Dashboard;

/// <summary>
/// `rnn-cluster train` running in this process on a thread of its own, whose output can be waited for line by
/// line while it runs. Disposing stops it as Ctrl+C does and waits for it to end.
/// </summary>
internal sealed class LiveTrainRun : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);

    private readonly CancellationTokenSource interrupt = new();
    private readonly LineWriter stdout = new();
    private readonly LineWriter stderr = new();
    private readonly Task<int> exit;

    private LiveTrainRun(string[] args)
    {
        var context = new CliContext(stdout, stderr, _ => null, interrupt.Token);
        exit = Task.Factory.StartNew(() => RnnClusterApp.Run(["train", .. args], context), TaskCreationOptions.LongRunning);
    }

    public static LiveTrainRun Start(params string[] args) => new(args);

    public string Stdout => stdout.Text;

    public string Stderr => stderr.Text;

    /// <summary>The first line of standard output that starts with <paramref name="prefix"/>, once it is printed.</summary>
    public async Task<string> WaitForLineAsync(string prefix, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (stdout.Lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line) return line;
            if (exit.IsCompleted) break;
            await Task.Delay(50);
        }
        throw new TimeoutException($"no line starting '{prefix}'; stdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    /// <summary>Ctrl+C, then the exit code.</summary>
    public async Task<int> StopAsync()
    {
        await interrupt.CancelAsync();
        return await exit.WaitAsync(StopTimeout);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        interrupt.Dispose();
    }

    /// <summary>A writer that keeps what was written and can be read while others write (the run prints from several threads).</summary>
    private sealed class LineWriter : TextWriter
    {
        private readonly StringBuilder text = new();

        public override Encoding Encoding => Encoding.UTF8;

        public string Text
        {
            get
            {
                lock (text) return text.ToString();
            }
        }

        /// <summary>The complete lines so far.</summary>
        public string[] Lines => Text.Split('\n')[..^1];

        public override void Write(char value)
        {
            lock (text) text.Append(value);
        }

        public override void Write(string? value)
        {
            lock (text) text.Append(value);
        }
    }
}
