using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Rnn.Math.Config;
using RnnCluster.Coordinator.Training;

namespace RnnCluster.Coordinator.Checkpoints;

/// <summary>
/// What decides a run's results, kept in each checkpoint so that a resume can refuse a run that would not
/// continue the same one. <see cref="Config"/> is the config as JSON without the fields that do not change
/// the result of any step taken: <c>training.epochs</c> (a resume may extend a run), <c>training.maxBadSteps</c>
/// (when a diverging run gives up) and <c>data.path</c> (the data may move; its content counts). <see cref="Data"/> is the shape of the training and validation parts and the SHA-256 of
/// their values, as the coordinator ships them (normalised, split).
/// </summary>
public sealed record RunFingerprint(string Config, string Data)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>The fingerprint of the run <paramref name="config"/> and <paramref name="job"/> describe.</summary>
    public static RunFingerprint Of(RunConfig config, TrainingJob job)
    {
        var data = Node(config.Data);
        data.Remove("path");
        var training = Node(config.Training with { Optimizer = config.Training.OptimizerOrDefault });
        training.Remove("epochs");
        training.Remove("maxBadSteps");
        var settings = new JsonObject { ["model"] = config.Model.ToJson(), ["data"] = data, ["training"] = training };
        var content = new JsonObject
        {
            ["train"] = Shape(job.Train),
            ["validation"] = job.Validation is null ? null : Shape(job.Validation),
            ["sha256"] = Sha256(job.Train, job.Validation),
        };
        return new RunFingerprint(settings.ToJsonString(), content.ToJsonString());
    }

    /// <summary>
    /// What differs from <paramref name="current"/>, one entry per field (<c>model.layers[0].units: 4 in the
    /// checkpoint, 8 now</c>); empty when the runs are the same.
    /// </summary>
    public IReadOnlyList<string> Differences(RunFingerprint current)
    {
        var stored = Flatten(JsonNode.Parse(Config), "").Concat(Flatten(JsonNode.Parse(Data), "data")).ToDictionary();
        var now = Flatten(JsonNode.Parse(current.Config), "").Concat(Flatten(JsonNode.Parse(current.Data), "data")).ToDictionary();
        return stored.Keys.Union(now.Keys)
            .Where(key => stored.GetValueOrDefault(key) != now.GetValueOrDefault(key))
            .Select(key => key == "data.sha256"
                ? "the data's values differ"
                : $"{key}: {stored.GetValueOrDefault(key) ?? "absent"} in the checkpoint, {now.GetValueOrDefault(key) ?? "absent"} now")
            .ToList();
    }

    private static JsonObject Node<T>(T value) => JsonSerializer.SerializeToNode(value, Json)!.AsObject();

    private static JsonObject Shape(SequenceSet set) => new()
    {
        ["samples"] = set.Samples,
        ["timesteps"] = set.Timesteps,
        ["inputSize"] = set.InputSize,
        ["targetsPerSample"] = set.TargetsPerSample,
    };

    private static string Sha256(SequenceSet train, SequenceSet? validation)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var values in new[] { train.X, train.Y, validation?.X ?? default, validation?.Y ?? default })
        {
            hash.AppendData(BitConverter.GetBytes((long)values.Length));
            hash.AppendData(MemoryMarshal.AsBytes(values.Span));
        }
        // Lengths join the hash only where they exist, so the fingerprint of data without them is what it always was.
        foreach (var lengths in new[] { train.Lengths, validation?.Lengths })
            if (lengths is not null) hash.AppendData(MemoryMarshal.AsBytes(lengths.AsSpan()));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Every leaf of the JSON as (path, value as JSON text), paths like <c>model.layers[0].units</c>.</summary>
    private static IEnumerable<KeyValuePair<string, string>> Flatten(JsonNode? node, string path) => node switch
    {
        JsonObject o => o.SelectMany(p => Flatten(p.Value, path.Length == 0 ? p.Key : $"{path}.{p.Key}")),
        JsonArray a => a.SelectMany((item, i) => Flatten(item, $"{path}[{i}]")),
        null => [new(path, "null")],
        _ => [new(path, node.ToJsonString())],
    };
}
