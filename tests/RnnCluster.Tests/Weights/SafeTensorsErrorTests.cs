using System.Text;
using Rnn.Math;
using Rnn.Math.Weights;

namespace RnnCluster.Tests.Weights;

/// <summary>Every defect of a safetensors file is an InputException naming the file and, where there is one, the tensor.</summary>
public class SafeTensorsErrorTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string WriteRaw(string header, int dataBytes, ulong? headerLength = null)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        byte[] bytes = [.. BitConverter.GetBytes(headerLength ?? (ulong)json.Length), .. json, .. new byte[dataBytes]];
        string path = Path.Combine(folder.Path, "init.safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string ErrorOf(string path) => Assert.Throws<InputException>(() => SafeTensors.Read(path)).Message;

    [Fact]
    public void MissingFileIsNamed()
    {
        string path = Path.Combine(folder.Path, "none.safetensors");

        Assert.Equal($"safetensors file not found: {path}", ErrorOf(path));
    }

    [Fact]
    public void FileShorterThanTheLengthPrefixIsTruncated()
    {
        string path = Path.Combine(folder.Path, "init.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        Assert.StartsWith("init.safetensors: truncated: 3 bytes", ErrorOf(path));
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsRejected()
    {
        string path = WriteRaw("{}", 0, headerLength: 1_000_000);

        Assert.StartsWith("init.safetensors: the header length (1000000 bytes) runs past the end of the file (10 bytes)", ErrorOf(path));
    }

    [Fact]
    public void GarbageHeaderIsRejected()
    {
        string path = WriteRaw("PK\u0003\u0004 not json", 0);

        Assert.StartsWith("init.safetensors: the header is not valid JSON", ErrorOf(path));
    }

    [Fact]
    public void NonFloat32DtypeNamesTheTensor()
    {
        string path = WriteRaw("""{"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}""", 16);

        Assert.Equal("init.safetensors: tensor \"w\" has dtype F64, expected F32 (float32), or I64 or I32 (integers)", ErrorOf(path));
    }

    [Fact]
    public void OffsetsPastTheDataNameTheTensor()
    {
        string path = WriteRaw("""{"w":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}""", 12);

        Assert.Equal(
            "init.safetensors: tensor \"w\": data_offsets [0, 16] lie outside the data section of 12 bytes (truncated file?)",
            ErrorOf(path));
    }

    [Fact]
    public void OverlappingTensorsAreNamed()
    {
        string path = WriteRaw(
            """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12);

        Assert.Equal("init.safetensors: tensors \"a\" and \"b\" overlap in the data section", ErrorOf(path));
    }

    [Fact]
    public void ShapeDisagreeingWithOffsetsNamesTheTensor()
    {
        string path = WriteRaw("""{"w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}""", 20);

        Assert.Equal("init.safetensors: tensor \"w\": shape [2, 3] needs 24 bytes but data_offsets [0, 20] hold 20", ErrorOf(path));
    }

    [Fact]
    public void MalformedEntryNamesTheTensor()
    {
        string path = WriteRaw("""{"w":{"dtype":"F32","shape":"2"}}""", 0);

        Assert.StartsWith("init.safetensors: tensor \"w\": malformed header entry", ErrorOf(path));
    }

    [Fact]
    public void TensorWithTheWrongShapeNamesBothShapes()
    {
        string path = Path.Combine(folder.Path, "init.safetensors");
        SafeTensors.Write(path, [new NamedTensor("layers.0.weight_hh", [200, 49], new float[200 * 49])]);

        var error = Assert.Throws<InputException>(() => SafeTensors.Read(path).Require("layers.0.weight_hh", 200, 50));

        Assert.Equal("init.safetensors: tensor \"layers.0.weight_hh\" has shape [200, 49], expected [200, 50]", error.Message);
    }

    [Fact]
    public void MissingTensorIsNamed()
    {
        string path = Path.Combine(folder.Path, "init.safetensors");
        SafeTensors.Write(path, [new NamedTensor("layers.0.weight", [1], new float[1])]);

        var error = Assert.Throws<InputException>(() => SafeTensors.Read(path).Require("layers.0.bias", 1));

        Assert.Equal("init.safetensors: no tensor \"layers.0.bias\" (it holds layers.0.weight)", error.Message);
    }
}
