using Rnn.Math;

namespace RnnCluster.Tests.Output;

public class AtomicFileTests
{
    [Fact]
    public void ReplacesTheContentOfAnExistingFile()
    {
        using var folder = new TempFolder();
        var path = folder.Write("model.json", "old");

        AtomicFile.WriteAllText(path, "new");

        Assert.Equal("new", File.ReadAllText(path));
    }

    [Fact]
    public void FailureWhileWritingLeavesTheOldFileAndNoTemporaryFile()
    {
        using var folder = new TempFolder();
        var path = folder.Write("model.safetensors", "old weights");

        Assert.Throws<IOException>(() => AtomicFile.Write(path, stream =>
        {
            stream.Write("half of the new"u8);
            throw new IOException("disk full");
        }));

        Assert.Equal("old weights", File.ReadAllText(path));
        Assert.Equal(["model.safetensors"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void CreatesTheFolderWhenMissing()
    {
        using var folder = new TempFolder();
        var path = folder.File("runs/a/metrics.jsonl");

        AtomicFile.WriteAllText(path, "{}\n");

        Assert.Equal("{}\n", File.ReadAllText(path));
    }
}
