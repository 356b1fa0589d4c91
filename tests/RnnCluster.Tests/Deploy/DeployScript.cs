using System.Diagnostics;
using System.Text;
using RnnCluster.Tests.Cli;

namespace RnnCluster.Tests.Deploy;

/// <summary>
/// One run of a script in deploy/ as a user starts it, with this test build's rnn-cluster.dll and
/// rnn-worker.dll (--bin). Disposing kills whatever of it still runs.
/// </summary>
internal sealed class DeployScript : IDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();

    private DeployScript(Process process)
    {
        this.process = process;
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>The folder holding rnn-cluster.dll and rnn-worker.dll: the test project copies both.</summary>
    public static string Programs => AppContext.BaseDirectory;

    /// <summary>netns-cluster.sh makes network namespaces: the test fails, saying why, without root and iproute2.</summary>
    public static void RequireNetns() => Assert.True(Environment.IsPrivilegedProcess && OnPath("ip") && OnPath("tc"),
        "this test needs root and iproute2 (ip, tc): netns-cluster.sh creates network namespaces. Run the suite as root " +
        "(CI does; .ci/run installs iproute2 when it is missing).");

    /// <summary>The stacked test config for <paramref name="epochs"/> epochs in <paramref name="folder"/>, and the folder of its local-mode run.</summary>
    public static (string Config, string LocalOut) StackedTrainedLocally(TempFolder folder, int epochs)
    {
        var config = folder.Write("stacked.json", WorkerCountDeterminismTests.Config.Replace("\"epochs\": 2", $"\"epochs\": {epochs}"));
        var localOut = folder.File("local");
        Assert.Equal(0, CliRun.Of("train", "--config", config, "--out", localOut, "--workers", "1", "--quiet").ExitCode);
        return (config, localOut);
    }

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(folder => File.Exists(Path.Combine(folder, program)));

    public static DeployScript Start(string script, params string[] args) => Start(new Dictionary<string, string>(), script, args);

    /// <summary>The script with <paramref name="environment"/> added to this process's, which its nodes inherit.</summary>
    public static DeployScript Start(IReadOnlyDictionary<string, string> environment, string script, params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        start.ArgumentList.Add(Repository.File(Path.Combine("deploy", script)));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return new DeployScript(Process.Start(start)!);
    }

    /// <summary>Runs a short command of a script (cut, down, ...) to its end and returns its exit code.</summary>
    public static async Task<int> RunAsync(string script, params string[] args)
    {
        using var run = Start(script, args);
        return await run.ExitCodeAsync();
    }

    public string Output
    {
        get { lock (output) return output.ToString(); }
    }

    public bool HasExited => process.HasExited;

    /// <summary>Ids of the running processes whose command line contains <paramref name="text"/>.</summary>
    public static IReadOnlyList<int> ProcessesMentioning(string text) =>
        Directory.EnumerateDirectories("/proc")
            .Select(folder => int.TryParse(Path.GetFileName(folder), out int id) ? id : 0)
            .Where(id => id > 0 && CommandLine(id).Contains(text, StringComparison.Ordinal))
            .ToList();

    /// <summary>Sends <paramref name="signal"/> (INT, TERM) to the script itself, as a terminal or a supervisor would.</summary>
    public void Signal(string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString()]);
        kill.WaitForExit();
    }

    public async Task<int> ExitCodeAsync()
    {
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
    }

    private static string CommandLine(int id)
    {
        try { return File.ReadAllText($"/proc/{id}/cmdline").Replace('\0', ' '); }
        catch (IOException) { return ""; }
        catch (UnauthorizedAccessException) { return ""; }
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (output) output.AppendLine(line);
    }
}
