namespace RnnCluster.Tests;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it when disposed.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "rnn-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>The full path of <paramref name="relativePath"/> in this folder; nothing is created.</summary>
    public string File(string relativePath) => System.IO.Path.Combine(Path, relativePath);

    /// <summary>Writes <paramref name="text"/> to a file at <paramref name="relativePath"/> and returns its full path.</summary>
    public string Write(string relativePath, string text)
    {
        string path = File(relativePath);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
