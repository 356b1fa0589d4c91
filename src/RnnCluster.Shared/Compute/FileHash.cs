using System.Security.Cryptography;

namespace RnnCluster.Shared.Compute;

/// <summary>The SHA-256 of a file's bytes, read in a stream: how nodes agree that their copies of a data file are one file.</summary>
public static class FileHash
{
    public static string Sha256(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
