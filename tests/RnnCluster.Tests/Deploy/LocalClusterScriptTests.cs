using RnnCluster.Tests.Cli;

namespace RnnCluster.Tests.Deploy;

/// <summary>deploy/local-cluster.sh: the docker-compose topology as processes on 127.0.0.1.</summary>
public class LocalClusterScriptTests
{
    [Fact(Timeout = 240_000)]
    public async Task Two_workers_train_the_model_file_of_local_mode()
    {
        using var folder = new TempFolder();
        var config = folder.Write("stacked.json", WorkerCountDeterminismTests.Config);
        var localOut = folder.File("local");
        Assert.Equal(0, CliRun.Of("train", "--config", config, "--out", localOut, "--workers", "1", "--quiet").ExitCode);

        var clusterOut = folder.File("cluster");
        var logs = folder.File("logs");
        using var script = DeployScript.Start("local-cluster.sh", "--workers", "2", "--bin", DeployScript.Programs, "--logs", logs,
            "--config", config, "--out", clusterOut, "--quiet");
        int exitCode = await script.ExitCodeAsync();

        Assert.True(exitCode == 0, $"local-cluster.sh exited with {exitCode}:\n{script.Output}");
        Assert.Equal(File.ReadAllBytes(Path.Combine(localOut, "model.safetensors")), File.ReadAllBytes(Path.Combine(clusterOut, "model.safetensors")));
        Assert.Equal(["coordinator.log", "worker-1.log", "worker-2.log"], Directory.GetFiles(logs).Select(Path.GetFileName).Order());
        Assert.Empty(DeployScript.ProcessesMentioning(SeedAddress(script.Output)));
        Assert.Empty(DeployScript.ProcessesMentioning(folder.Path));
    }

    [Fact(Timeout = 120_000)]
    public async Task Ctrl_C_stops_the_coordinator_and_every_worker()
    {
        using var folder = new TempFolder();
        var config = folder.Write("stacked.json", WorkerCountDeterminismTests.Config);
        // Two workers started and three required: the coordinator waits for ever, as a short-handed cluster does.
        using var script = DeployScript.Start("local-cluster.sh", "--workers", "2", "--bin", DeployScript.Programs,
            "--logs", folder.File("logs"), "--config", config, "--out", folder.File("out"), "--min-workers", "3");
        while (!script.Output.Contains("coordinator on ") && !script.HasExited) await Task.Delay(100);
        string seed = SeedAddress(script.Output);
        while (DeployScript.ProcessesMentioning(seed).Count < 2 && !script.HasExited) await Task.Delay(100);

        script.Signal("INT");

        Assert.Equal(130, await script.ExitCodeAsync());
        Assert.Empty(DeployScript.ProcessesMentioning(seed));
        Assert.Empty(DeployScript.ProcessesMentioning(folder.Path));
    }

    /// <summary>The coordinator's host:port as the script announces it ("coordinator on 127.0.0.1:PORT, ...").</summary>
    private static string SeedAddress(string output)
    {
        var match = System.Text.RegularExpressions.Regex.Match(output, @"coordinator on (127\.0\.0\.1:\d+)");
        Assert.True(match.Success, $"the script names the coordinator's address:\n{output}");
        return match.Groups[1].Value;
    }
}
