using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;
using Rnn.Math;

namespace RnnCluster.Shared.Hosting;

/// <summary>
/// A node's TLS identity (docs/contract.md: `--tls-cert FILE.pfx`, `--tls-password`, `--tls-ca FILE.pem`): its own
/// certificate with its key, and the CA every peer's certificate must chain to. The same pair secures Akka.Remote
/// (mutual authentication through <see cref="DotNettySslSetup"/>) and the data plane (an <see cref="SslStream"/>
/// each way), so a node without a certificate from the CA can neither join the cluster nor write a tensor.
/// Only the CA given is trusted: the machine's own root store plays no part, and host names are not checked
/// (nodes are often reached by address); what admits a node is its certificate's chain to the cluster's CA.
/// </summary>
public sealed class NodeTls(X509Certificate2 certificate, X509Certificate2 authority)
{
    public X509Certificate2 Certificate { get; } = certificate;

    public X509Certificate2 Authority { get; } = authority;

    /// <summary>
    /// Reads the files; a missing file, a wrong password or a file that is not a certificate is the user's input to
    /// fix: <see cref="InputException"/> naming the flag (or variable) it came from.
    /// </summary>
    public static NodeTls Load(string certificatePath, string? password, string authorityPath, string certificateSource = "--tls-cert",
        string authoritySource = "--tls-ca")
    {
        var certificate = Read(certificateSource, certificatePath, () => X509CertificateLoader.LoadPkcs12FromFile(certificatePath, password));
        if (!certificate.HasPrivateKey)
            throw new InputException($"{certificateSource} {certificatePath}: holds no private key; a node needs its certificate with its key (PKCS#12)");
        var authority = Read(authoritySource, authorityPath, () => File.ReadAllText(authorityPath).Contains("-----BEGIN", StringComparison.Ordinal)
            ? X509Certificate2.CreateFromPem(File.ReadAllText(authorityPath))
            : X509CertificateLoader.LoadCertificateFromFile(authorityPath));
        return new NodeTls(certificate, authority);
    }

    /// <summary>Whether <paramref name="presented"/> chains to the cluster's CA (and only to it).</summary>
    public bool Accepts(X509Certificate? presented)
    {
        if (presented is null) return false;
        var leaf = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }

    /// <summary>Akka.Remote's TLS: this certificate, mutual authentication, peers validated by <see cref="Accepts"/>.</summary>
    public DotNettySslSetup AkkaSetup() => new(Certificate, suppressValidation: false, requireMutualAuthentication: true,
        validateCertificateHostname: false, customValidator: (cert, _, peer, _, log) =>
        {
            if (Accepts(cert)) return true;
            log.Warning("refused a TLS peer {0}: its certificate ({1}) does not chain to the cluster's CA", peer, cert?.Subject ?? "none");
            return false;
        });

    public SslServerAuthenticationOptions ServerOptions() => new()
    {
        ServerCertificateContext = SslStreamCertificateContext.Create(Certificate, null, offline: true),
        ClientCertificateRequired = true,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, cert, _, _) => Accepts(cert),
    };

    public SslClientAuthenticationOptions ClientOptions(string host) => new()
    {
        TargetHost = host,
        ClientCertificateContext = SslStreamCertificateContext.Create(Certificate, null, offline: true),
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        RemoteCertificateValidationCallback = (_, cert, _, _) => Accepts(cert),
    };

    private static X509Certificate2 Read(string source, string path, Func<X509Certificate2> load)
    {
        if (!File.Exists(path)) throw new InputException($"{source}: file not found: '{path}'");
        try
        {
            return load();
        }
        catch (CryptographicException e)
        {
            throw new InputException($"{source} {path}: cannot read the certificate ({e.Message.TrimEnd('.')}); check the file and --tls-password");
        }
    }
}
