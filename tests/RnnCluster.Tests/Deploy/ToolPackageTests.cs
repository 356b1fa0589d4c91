using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace RnnCluster.Tests.Deploy;

/// <summary>
/// The two programs as .NET tools: `dotnet pack` makes a tool package and a symbols package of each, every one
/// with the one version, the authors, the licence and the README, and `dotnet tool install` from that output
/// gives commands that run, a local training run included.
/// </summary>
public class ToolPackageTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    [Fact(Timeout = 600_000)]
    public async Task Both_programs_pack_as_tools_that_install_from_the_pack_output_and_run()
    {
        using var folder = new TempFolder();
        string packages = folder.File("packages"), tools = folder.File("tools");
        foreach (var project in new[] { "src/Coordinator/Coordinator.csproj", "src/Worker/Worker.csproj" })
            await Dotnet("pack", Repository.File(project), "-c", "Release", "--no-build", "-o", packages);

        foreach (var tool in new[] { "rnn-cluster", "rnn-worker" })
        {
            var package = Assert.Single(Directory.GetFiles(packages, $"{tool}.*.nupkg"));
            string version = Path.GetFileNameWithoutExtension(package)[(tool.Length + 1)..];
            Assert.True(File.Exists(Path.Combine(packages, $"{tool}.{version}.snupkg")), $"no symbols package beside {package}");
            using (var zip = ZipFile.OpenRead(package))
            {
                var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).Root!;
                string Field(string name) => nuspec.Descendants().Single(e => e.Name.LocalName == name).Value;
                Assert.Equal(tool, Field("id"));
                Assert.Equal("MIT", Field("license"));
                Assert.Equal("README.md", Field("readme"));
                Assert.False(string.IsNullOrWhiteSpace(Field("authors")));
                Assert.Contains(zip.Entries, e => e.FullName == "README.md");
                var settings = XDocument.Load(zip.Entries.Single(e => e.Name == "DotnetToolSettings.xml").Open());
                Assert.Equal(tool, settings.Descendants("Command").Single().Attribute("Name")!.Value);
            }
            await Dotnet("tool", "install", tool, "--tool-path", tools, "--add-source", packages, "--version", version, "--ignore-failed-sources");
            var help = await Run(Path.Combine(tools, tool), "--help");
            Assert.StartsWith($"{tool}: ", help);
        }
        Assert.Single(Directory.GetFiles(packages, "rnn-cluster.*.nupkg").Concat(Directory.GetFiles(packages, "rnn-worker.*.nupkg"))
            .Select(p => Path.GetFileNameWithoutExtension(p).Split('.', 2)[1]).Distinct());

        var config = folder.Write("config.json", """
            {
              "model": { "inputSize": 1, "layers": [ { "type": "gru", "units": 4 }, { "type": "dense", "units": 1 } ] },
              "data": { "source": "synthetic", "generator": "sine", "samples": 64, "timesteps": 6, "seed": 1 },
              "training": { "epochs": 2, "batchSize": 16, "seed": 2 }
            }
            """);
        var trained = await Run(Path.Combine(tools, "rnn-cluster"), "train", "--config", config, "--out", folder.File("run"), "--workers", "2", "--quiet");
        Assert.StartsWith("trained 2 epochs", trained);
        Assert.True(File.Exists(Path.Combine(folder.File("run"), "model.safetensors")));
    }

    private static Task<string> Dotnet(params string[] args) => Run("dotnet", args);

    /// <summary>The command's standard output; a nonzero exit fails the test with what it printed.</summary>
    private static async Task<string> Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)} exited {process.ExitCode}:\n{await output}\n{await errors}");
        return await output;
    }
}
