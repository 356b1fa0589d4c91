using System.Security.Cryptography;

namespace RnnCluster.Shared.Compute;

/// <summary>
/// The SHA-256 of a file's bytes, read in a stream: how nodes agree that their copies of a data file are one file.
/// Kept per path, size and time of the last write, so a process holding several nodes (local mode) reads it once.
/// </summary>
public static class FileHash
{
    private static readonly Dictionary<(string Path, long Length, DateTime Written), string> Known = new();

    public static string Sha256(string path)
    {
        var info = new FileInfo(path);
        var key = (info.FullName, info.Length, info.LastWriteTimeUtc);
        lock (Known)
        {
            if (Known.TryGetValue(key, out var known)) return known;
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            return Known[key] = Convert.ToHexStringLower(SHA256.HashData(stream));
        }
    }
}
