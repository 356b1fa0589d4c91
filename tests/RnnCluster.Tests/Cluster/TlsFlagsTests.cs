using RnnCluster.Tests.Cli;
using RnnCluster.Shared;
using RnnCluster.Worker;

namespace RnnCluster.Tests.Cluster;

/// <summary>The TLS flags of both programs: a certificate that cannot be used is the user's input, exit 2 naming the flag.</summary>
public sealed class TlsFlagsTests : IDisposable
{
    private const string Seed = "akka.tcp://rnn-cluster@127.0.0.1:4053";
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task A_worker_given_a_missing_certificate_exits_2_naming_the_flag()
    {
        var ca = new TestCertificates(_folder, "cluster");
        var (code, error) = await Worker(["--tls-cert", _folder.File("absent.pfx"), "--tls-ca", ca.AuthorityPem]);
        Assert.Equal(2, code);
        Assert.StartsWith("error: --tls-cert: file not found", error);
    }

    [Fact]
    public async Task A_wrong_password_exits_2_naming_the_flag_it_came_from()
    {
        var ca = new TestCertificates(_folder, "cluster");
        var (code, error) = await Worker(["--tls-ca", ca.AuthorityPem], new() { ["RNN_TLS_CERT"] = ca.Node("worker"), ["RNN_TLS_PASSWORD"] = "wrong" });
        Assert.Equal(2, code);
        Assert.Contains("RNN_TLS_CERT", error);
        Assert.Contains("--tls-password", error);
    }

    [Fact]
    public async Task A_certificate_without_the_CA_is_refused()
    {
        var ca = new TestCertificates(_folder, "cluster");
        var (code, error) = await Worker(["--tls-cert", ca.Node("worker"), "--tls-password", TestCertificates.Password]);
        Assert.Equal(2, code);
        Assert.Contains("--tls-ca", error);
    }

    [Fact]
    public void The_coordinator_refuses_a_CA_file_that_is_not_a_certificate()
    {
        var ca = new TestCertificates(_folder, "cluster");
        var notCertificate = _folder.Write("ca.pem", "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n");
        var run = CliRun.Of("train", "--config", Repository.File("examples/passengers/config.json"), "--out", _folder.File("run"), "--cluster",
            "--tls-cert", ca.Node("coordinator"), "--tls-password", TestCertificates.Password, "--tls-ca", notCertificate);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: --tls-ca", run.Stderr);
        Assert.False(Directory.Exists(_folder.File("run")));
    }

    [Fact]
    public void TLS_flags_without_cluster_mode_are_refused()
    {
        var run = CliRun.Of("train", "--config", Repository.File("examples/passengers/config.json"), "--tls-ca", "ca.pem");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--tls-ca needs --cluster", run.Stderr);
    }

    private static async Task<(int Code, string Error)> Worker(string[] flags, Dictionary<string, string>? environment = null)
    {
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = await WorkerApp.RunAsync(["--seed-nodes", Seed, "--port", "0", .. flags], stdout, stderr,
            name => environment?.GetValueOrDefault(name), CancellationToken.None);
        return (code, stderr.ToString());
    }
}
