using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace RnnCluster.Tests.Cluster;

/// <summary>
/// A demo CA and node certificates made with .NET's CertificateRequest, written as the files a user gives the
/// programs: the CA as PEM, each node's certificate with its key as a password-protected PKCS#12 file.
/// </summary>
internal sealed class TestCertificates(TempFolder folder, string name)
{
    public const string Password = "demo-password";

    private readonly RSA _key = RSA.Create(2048);
    private X509Certificate2? _authority;

    /// <summary>The CA's certificate (PEM), made on first use.</summary>
    public string AuthorityPem
    {
        get
        {
            var path = folder.File($"{name}-ca.pem");
            if (!File.Exists(path)) File.WriteAllText(path, Authority.ExportCertificatePem());
            return path;
        }
    }

    private X509Certificate2 Authority => _authority ??= MakeAuthority();

    /// <summary>A node certificate issued by this CA, with its key, as FILE.pfx protected by <see cref="Password"/>.</summary>
    public string Node(string node)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={node}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [new Oid("1.3.6.1.5.5.7.3.1"), new Oid("1.3.6.1.5.5.7.3.2")], false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        var serial = RandomNumberGenerator.GetBytes(16);
        using var issued = request.Create(Authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30), serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        var path = folder.File($"{name}-{node}.pfx");
        File.WriteAllBytes(path, withKey.Export(X509ContentType.Pfx, Password));
        return path;
    }

    private X509Certificate2 MakeAuthority()
    {
        var request = new CertificateRequest($"CN={name} demo CA", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(365));
    }
}
