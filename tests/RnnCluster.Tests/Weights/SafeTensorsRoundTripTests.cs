using System.Text;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.Weights;

public class SafeTensorsRoundTripTests
{
    private static readonly NamedTensor[] Tensors =
    [
        new("layers.0.weight_ih", [4, 3], Enumerable.Range(0, 12).Select(i => i * 0.5f - 3f).ToArray()),
        new("layers.0.bias_ih", [4], new[] { 1f, -2f, float.Epsilon, float.MaxValue }),
        new("scalar", [], new[] { 7f }),
    ];

    [Fact]
    public void ReadGivesBackNamesShapesValuesAndMetadata()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.safetensors");

        SafeTensors.Write(path, Tensors, new Dictionary<string, string> { ["format"] = "pt" });
        var file = SafeTensors.Read(path);

        Assert.Equal(Tensors.Select(t => t.Name), file.Tensors.Select(t => t.Name));
        foreach (var tensor in Tensors)
        {
            Assert.Equal(tensor.Shape, file.Get(tensor.Name).Shape);
            Assert.Equal(tensor.Data.ToArray(), file.Get(tensor.Name).Data.ToArray());
        }
        Assert.Equal("pt", file.Metadata["format"]);
    }

    [Fact]
    public void HeaderListsTensorsInTheOrderGivenWithContiguousOffsets()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.safetensors");

        SafeTensors.Write(path, Tensors);

        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = (int)BitConverter.ToUInt64(bytes, 0);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal(
            """{"layers.0.weight_ih":{"dtype":"F32","shape":[4,3],"data_offsets":[0,48]},"layers.0.bias_ih":{"dtype":"F32","shape":[4],"data_offsets":[48,64]},"scalar":{"dtype":"F32","shape":[],"data_offsets":[64,68]}}""",
            Encoding.UTF8.GetString(bytes, 8, headerLength).TrimEnd(' '));
        Assert.Equal(8 + headerLength + 68, bytes.Length);
    }

    [Fact]
    public void WriteReplacesAnExistingFileAndLeavesNoTemporaryFile()
    {
        using var folder = new TempFolder();
        string path = folder.Write("model.safetensors", "old model");

        SafeTensors.Write(path, Tensors);

        Assert.Equal(3, SafeTensors.Read(path).Tensors.Count);
        Assert.Equal(["model.safetensors"], Directory.GetFiles(folder.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void ReadsAFileWrittenByAnIndependentPythonWriter()
    {
        // Fixtures/Weights/python.safetensors comes from Fixtures/Weights/make_safetensors_fixture.py.
        var file = SafeTensors.Read(Path.Combine(AppContext.BaseDirectory, "Fixtures", "Weights", "python.safetensors"));

        Assert.Equal(new[] { 0f, 1f, 2f, 3f, 4f, 5f }, file.Require("b", 2, 3).ToArray());
        Assert.Equal(new[] { -1.5f, 0.25f }, file.Require("a", 2).ToArray());
        Assert.Equal("test", file.Metadata["source"]);
    }
}
