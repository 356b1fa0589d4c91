using System.Text.Json;
using System.Text.Json.Serialization;
using Rnn.Math.Config;

namespace RnnCluster.Tests.PyTorch;

/// <summary>Reads a fixture's config (OUR format, camelCase, enum names in lower case) into the config records.</summary>
public static class FixtureConfig
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public static RunConfig Load(string path) => JsonSerializer.Deserialize<RunConfig>(File.ReadAllText(path), Json)!;
}
