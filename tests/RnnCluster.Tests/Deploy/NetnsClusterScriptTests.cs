using RnnCluster.Tests.Cli;

namespace RnnCluster.Tests.Deploy;

/// <summary>
/// deploy/netns-cluster.sh: a coordinator and three workers, each on a network host of its own (a network
/// namespace cabled to a bridge in the script's own namespace). Needs root and iproute2; without them the
/// test fails and says so rather than passing untried.
/// </summary>
public class NetnsClusterScriptTests
{
    // Long enough that the cut lands mid-run: the first epoch is written before the cut, the last well after.
    private const int Epochs = 150;

    [Fact(Timeout = 300_000)]
    public async Task A_worker_whose_link_is_cut_mid_run_leaves_the_model_file_of_local_mode()
    {
        DeployScript.RequireNetns();
        using var folder = new TempFolder();
        var (config, localOut) = DeployScript.StackedTrainedLocally(folder, Epochs);

        var name = "rnnt-" + Guid.NewGuid().ToString("N")[..8];
        var clusterOut = folder.File("cluster");
        var metrics = Path.Combine(clusterOut, "metrics.jsonl");
        using var script = DeployScript.Start("netns-cluster.sh", "run", "--name", name, "--workers", "3",
            "--bin", DeployScript.Programs, "--logs", folder.File("logs"), "--", "--config", config, "--out", clusterOut, "--quiet");
        try
        {
            while (EpochsWritten(metrics) == 0 && !script.HasExited) await Task.Delay(100);
            Assert.Equal(0, await DeployScript.RunAsync("netns-cluster.sh", "cut", "worker2", "--name", name));
            int epochsBeforeCut = EpochsWritten(metrics);

            int exitCode = await script.ExitCodeAsync();

            Assert.True(exitCode == 0, $"netns-cluster.sh exited with {exitCode}:\n{script.Output}\n{File.ReadAllText(folder.File("logs/coordinator.log"))}");
            Assert.InRange(epochsBeforeCut, 1, Epochs - 1);
            Assert.Equal(File.ReadAllBytes(Path.Combine(localOut, "model.safetensors")), File.ReadAllBytes(Path.Combine(clusterOut, "model.safetensors")));
        }
        finally
        {
            await DeployScript.RunAsync("netns-cluster.sh", "down", "--name", name);
        }
        Assert.DoesNotContain(name, await NamespacesAsync());
    }

    private static int EpochsWritten(string metrics) =>
        File.Exists(metrics) ? File.ReadAllLines(metrics).Count(line => line.Length > 0) : 0;

    internal static async Task<string> NamespacesAsync()
    {
        using var list = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ip", "netns list") { RedirectStandardOutput = true })!;
        string text = await list.StandardOutput.ReadToEndAsync();
        await list.WaitForExitAsync();
        return text;
    }
}
