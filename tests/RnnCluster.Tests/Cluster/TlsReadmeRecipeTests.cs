using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// The README's openssl recipe for a demo CA and node certificates, run as a user would copy it: its files load as
/// the TLS flags read them, its nodes accept one another, and a node made by the same recipe under another CA is refused.
/// </summary>
public sealed class TlsReadmeRecipeTests : IDisposable
{
    private const string Password = "demo-password";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact(Timeout = 120_000)]
    public async Task The_README_recipe_makes_certificates_that_admit_its_own_nodes_only()
    {
        string cluster = await MakeCertificates("cluster"), other = await MakeCertificates("other");

        var coordinator = NodeTls.Load(Path.Combine(cluster, "coordinator.pfx"), Password, Path.Combine(cluster, "ca.pem"));
        foreach (var node in new[] { "worker1", "worker2" })
            Assert.True(coordinator.Accepts(Leaf(cluster, node)), node);
        Assert.True(NodeTls.Load(Path.Combine(cluster, "worker1.pfx"), Password, Path.Combine(cluster, "ca.pem")).Accepts(coordinator.Certificate));
        Assert.False(coordinator.Accepts(Leaf(other, "worker1")));
        Assert.False(coordinator.Accepts(Leaf(other, "coordinator")));
    }

    private static X509Certificate2 Leaf(string folder, string node)
        => X509CertificateLoader.LoadPkcs12FromFile(Path.Combine(folder, $"{node}.pfx"), Password);

    /// <summary>Runs the README's block from `mkdir -p tls` to `cd ..` in a folder of its own; returns its tls folder.</summary>
    private async Task<string> MakeCertificates(string name)
    {
        var lines = File.ReadAllLines(Repository.File("README.md"));
        int first = Array.FindIndex(lines, l => l == "mkdir -p tls && cd tls");
        int last = Array.FindIndex(lines, first + 1, l => l == "cd ..");
        Assert.True(first >= 0 && last > first, "the README's openssl recipe is not where this test looks for it");
        string folder = _folder.File(name);
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo("bash") { WorkingDirectory = folder, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-euo");
        start.ArgumentList.Add("pipefail");
        start.ArgumentList.Add(_folder.Write($"{name}.sh", string.Join('\n', lines[first..(last + 1)])));
        using var bash = Process.Start(start)!;
        try
        {
            var errors = bash.StandardError.ReadToEndAsync();
            await bash.StandardOutput.ReadToEndAsync();
            await bash.WaitForExitAsync();
            Assert.True(bash.ExitCode == 0, await errors);
            return Path.Combine(folder, "tls");
        }
        finally
        {
            if (!bash.HasExited) bash.Kill(entireProcessTree: true);
        }
    }
}
