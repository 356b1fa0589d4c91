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

    /// <summary>
    /// The library as a user takes it: `dotnet pack` makes the RnnCluster package (the two assemblies under it in
    /// its lib folder, the README and licence, its package dependencies listed); the seed's example in C#
    /// (examples/csharp/seed) builds against it from the pack output as a console app of its own, fits, predicts,
    /// saves and loads; the classifier and cluster examples build against it too; and `rnn-cluster predict`, installed as a tool from the same output, reads the saved model
    /// and gives the same predictions, bit for bit.
    /// </summary>
    [Fact(Timeout = 600_000)]
    public async Task The_library_package_runs_the_seed_example_and_the_installed_tool_predicts_what_it_saved()
    {
        using var folder = new TempFolder();
        string packages = folder.File("packages"), tools = folder.File("tools"), app = folder.File("app"), run = folder.File("run");
        await Dotnet("pack", Repository.File("src/RnnCluster/RnnCluster.csproj"), "-c", "Release", "--no-build", "-o", packages);
        await Dotnet("pack", Repository.File("src/Coordinator/Coordinator.csproj"), "-c", "Release", "--no-build", "-o", packages);
        var package = Assert.Single(Directory.GetFiles(packages, "RnnCluster.*.nupkg"));
        string version = Path.GetFileNameWithoutExtension(package)["RnnCluster.".Length..];
        using (var zip = ZipFile.OpenRead(package))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var dll in new[] { "RnnCluster.dll", "RnnCluster.xml", "RnnCluster.Shared.dll", "Rnn.Math.dll" })
                Assert.Contains($"lib/net10.0/{dll}", names);
            var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open()).Root!;
            Assert.Equal("MIT", nuspec.Descendants().Single(e => e.Name.LocalName == "license").Value);
            var dependencies = nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => e.Attribute("id")!.Value).ToList();
            Assert.Contains("Akka.Cluster.Hosting", dependencies);
            Assert.Contains("MathNet.Numerics", dependencies);
        }

        // The package cache keeps a version once restored; this build's package must replace an earlier build's.
        var cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "rnncluster", version);
        if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
        foreach (var example in new[] { "seed", "classify", "cluster" })
        {
            var project = Path.Combine(app, example);
            Directory.CreateDirectory(project);
            foreach (var file in new[] { $"{example}/Program.cs", $"{example}/{example}.csproj" })
                File.Copy(Repository.File($"examples/csharp/{file}"), Path.Combine(project, Path.GetFileName(file)));
            var csproj = Path.Combine(project, $"{example}.csproj");
            File.WriteAllText(csproj, File.ReadAllText(csproj).Replace("Version=\"0.1.0\"", $"Version=\"{version}\""));
        }
        foreach (var file in new[] { "Directory.Build.props", "Directory.Packages.props" })
            File.Copy(Repository.File($"examples/csharp/{file}"), Path.Combine(app, file));
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><add key="pack-output" value="{packages}" /></packageSources></configuration>
            """);
        await Dotnet("build", Path.Combine(app, "classify"), "-c", "Release");
        await Dotnet("build", Path.Combine(app, "cluster"), "-c", "Release");
        var output = await Dotnet("run", "--project", Path.Combine(app, "seed"), "-c", "Release", "--", run);
        Assert.Contains("trained 100 epochs", output);
        Assert.Contains("loaded again, it predicts the same 240 values", output);
        var saved = File.ReadAllLines(Path.Combine(run, "predictions.txt")).Select(line => float.Parse(line, System.Globalization.CultureInfo.InvariantCulture)).ToArray();

        const int samples = 240, timesteps = 12;
        var x = new float[samples * timesteps];
        for (int i = 0; i < samples; i++)
            for (int t = 0; t < timesteps; t++) x[i * timesteps + t] = MathF.Sin(0.3f * (i + t));
        Rnn.Math.Weights.SafeTensors.Write(folder.File("x.safetensors"), [new Rnn.Math.Weights.NamedTensor("x", [samples, timesteps, 1], x)]);
        await Dotnet("tool", "install", "rnn-cluster", "--tool-path", tools, "--add-source", packages, "--version", version, "--ignore-failed-sources");
        await Run(Path.Combine(tools, "rnn-cluster"), "predict", "--model", run, "--input", folder.File("x.safetensors"), "--output", folder.File("p.safetensors"), "--quiet");
        var predicted = Rnn.Math.Weights.SafeTensors.Read(folder.File("p.safetensors")).Tensors.Single(t => t.Name == "y").Data.ToArray();
        Assert.Equal(saved.Select(BitConverter.SingleToInt32Bits), predicted.Select(BitConverter.SingleToInt32Bits));
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
