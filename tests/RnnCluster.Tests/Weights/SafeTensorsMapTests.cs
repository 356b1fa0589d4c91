using Rnn.Math.Weights;

namespace RnnCluster.Tests.Weights;

/// <summary>SafeTensors.Map: float32 tensors as the file's bytes in place, the values Read gives, one mapping per file.</summary>
public class SafeTensorsMapTests
{
    [Fact]
    public void A_mapped_file_holds_what_read_gives_its_float32_tensors_in_place_and_maps_once()
    {
        using var folder = new TempFolder();
        var path = folder.File("data.safetensors");
        SafeTensors.Write(path, [
            new NamedTensor("x", [3, 2], new float[] { 1.5f, -2f, 3f, 4.25f, 5f, 6f }),
            new NamedTensor("y", [3], new float[] { 7, 8, 9 }),
        ]);

        var mapped = SafeTensors.Map(path);
        var read = SafeTensors.Read(path);

        Assert.True(mapped.Get("x").Mapped && mapped.Get("y").Mapped);
        Assert.False(read.Get("x").Mapped);
        foreach (var name in new[] { "x", "y" })
            Assert.Equal(read.Get(name).Data.ToArray(), mapped.Get(name).Data.ToArray());
        Assert.Same(mapped, SafeTensors.Map(path));

        // Another file at the path (written anew: another time of last write) is mapped anew.
        SafeTensors.Write(path, [new NamedTensor("x", [1, 2], new float[] { 9f, 10f })]);
        Assert.Equal([9f, 10f], SafeTensors.Map(path).Get("x").Data.ToArray());
    }
}
