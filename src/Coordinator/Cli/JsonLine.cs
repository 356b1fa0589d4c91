using System.Text.Json;

namespace RnnCluster.Coordinator.Cli;

/// <summary>The last line of bench and evaluate: one camelCase JSON object, for scripts.</summary>
internal static class JsonLine
{
    private static readonly JsonSerializerOptions Options = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static string Of<T>(T value) => JsonSerializer.Serialize(value, Options);
}
