using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace RnnCluster.Coordinator.Cli;

/// <summary>
/// The last line of bench and evaluate: one camelCase JSON object, for scripts. A `metrics` object is written as
/// its entries in the object that holds it (`"accuracy": 0.9` beside `"loss"`), and left out when null.
/// </summary>
internal static class JsonLine
{
    private const string MetricsField = "metrics";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Of<T>(T value)
    {
        var node = JsonSerializer.SerializeToNode(value, Options);
        if (node is JsonObject line) Flatten(line);
        return node?.ToJsonString(Options) ?? "null";
    }

    private static void Flatten(JsonObject line)
    {
        foreach (var inner in line.Select(field => field.Value).OfType<JsonObject>().ToList()) Flatten(inner);
        if (!line.TryGetPropertyValue(MetricsField, out var metrics)) return;
        line.Remove(MetricsField);
        if (metrics is not JsonObject named) return;
        foreach (var (name, figure) in named.ToList())
        {
            named.Remove(name);
            line[name] = figure;
        }
    }
}
