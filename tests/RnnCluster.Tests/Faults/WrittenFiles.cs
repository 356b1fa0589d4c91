using System.Numerics.Tensors;
using System.Text.Json;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.Faults;

/// <summary>What a run left in its folder, read back whole.</summary>
internal static class WrittenFiles
{
    /// <summary>
    /// Every safetensors file under <paramref name="folder"/> (but <paramref name="except"/>) reads back with every
    /// value finite; every JSON file, and every line of a JSON-lines file, parses. Returns the files looked at.
    /// </summary>
    public static IReadOnlyList<string> AssertEveryValueFinite(string folder, params string[] except)
    {
        var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(file => !except.Contains(Path.GetRelativePath(folder, file)))
            .ToList();
        foreach (var file in files)
        {
            switch (Path.GetExtension(file))
            {
                case ".safetensors":
                    foreach (var tensor in SafeTensors.Read(file).Tensors)
                        Assert.True(TensorPrimitives.IsFiniteAll(tensor.Data.Span), $"{file}: {tensor.Name} holds a value that is not finite");
                    break;
                case ".json":
                    JsonDocument.Parse(File.ReadAllText(file)).Dispose();
                    break;
                case ".jsonl":
                    foreach (var line in File.ReadAllLines(file)) JsonDocument.Parse(line).Dispose();
                    break;
            }
        }
        return files;
    }
}
