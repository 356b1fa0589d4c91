using System.Text;
using System.Text.Json;

namespace Rnn.Math.Config;

/// <summary>
/// A parsed JSON value that remembers the 1-based line it starts on and its path from the root
/// (`model.layers[1].type`), so that every config error can point at its place in the file. JsonDocument
/// forgets positions, hence this small tree built with Utf8JsonReader. Comments and trailing commas are
/// allowed, as people write them in hand-edited configs.
/// </summary>
internal sealed class LocatedJson
{
    private static readonly IReadOnlyList<KeyValuePair<string, LocatedJson>> NoProperties = [];
    private static readonly IReadOnlyList<LocatedJson> NoItems = [];

    private LocatedJson(JsonTokenType kind, int line, string path)
    {
        Kind = kind;
        Line = line;
        Path = path;
    }

    /// <summary>StartObject, StartArray, String, Number, True, False or Null.</summary>
    public JsonTokenType Kind { get; }

    public int Line { get; }

    public string Path { get; }

    /// <summary>A string's value or a number's literal text; empty otherwise.</summary>
    public string Text { get; private init; } = "";

    public IReadOnlyList<KeyValuePair<string, LocatedJson>> Properties { get; private init; } = NoProperties;

    public IReadOnlyList<LocatedJson> Items { get; private init; } = NoItems;

    /// <summary>How the value reads in an error message: `"lstn"`, `12.5`, `an object`.</summary>
    public string Describe() => Kind switch
    {
        JsonTokenType.String => Text.Length <= 40 ? $"\"{Text}\"" : $"\"{Text[..40]}...\"",
        JsonTokenType.Number => Text,
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "an object",
        _ => "an array",
    };

    public static LocatedJson Parse(ReadOnlySpan<byte> utf8, string fileName)
    {
        if (utf8.StartsWith("\uFEFF"u8)) utf8 = utf8[3..];
        int[] lineStarts = LineStarts(utf8);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
        });
        try
        {
            if (!reader.Read()) throw new InputException($"{fileName}: the file is empty; expected a JSON object");
            return ReadValue(ref reader, lineStarts, "", fileName);
        }
        catch (JsonException e)
        {
            throw new InputException($"{fileName} line {(e.LineNumber ?? 0) + 1}: invalid JSON: {Explain(e)}");
        }
    }

    private static LocatedJson ReadValue(ref Utf8JsonReader reader, int[] lineStarts, string path, string fileName)
    {
        int line = LineOf(lineStarts, reader.TokenStartIndex);
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
            {
                var properties = new List<KeyValuePair<string, LocatedJson>>();
                while (Next(ref reader) != JsonTokenType.EndObject)
                {
                    string name = reader.GetString()!;
                    string childPath = path.Length == 0 ? name : $"{path}.{name}";
                    if (properties.Any(p => p.Key == name))
                    {
                        int nameLine = LineOf(lineStarts, reader.TokenStartIndex);
                        throw new InputException($"{fileName} line {nameLine}: {childPath}: appears twice");
                    }
                    Next(ref reader);
                    properties.Add(new(name, ReadValue(ref reader, lineStarts, childPath, fileName)));
                }
                return new LocatedJson(JsonTokenType.StartObject, line, path) { Properties = properties };
            }
            case JsonTokenType.StartArray:
            {
                var items = new List<LocatedJson>();
                while (Next(ref reader) != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, lineStarts, $"{path}[{items.Count}]", fileName));
                }
                return new LocatedJson(JsonTokenType.StartArray, line, path) { Items = items };
            }
            case JsonTokenType.String:
                return new LocatedJson(JsonTokenType.String, line, path) { Text = reader.GetString()! };
            case JsonTokenType.Number:
                return new LocatedJson(JsonTokenType.Number, line, path) { Text = Encoding.UTF8.GetString(reader.ValueSpan) };
            default:
                return new LocatedJson(reader.TokenType, line, path);
        }
    }

    /// <summary>The next token; a final-block reader throws rather than run out inside a container.</summary>
    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw new InvalidOperationException("a final-block JSON reader ran out of input");
        return reader.TokenType;
    }

    private static string Explain(JsonException e)
    {
        if (e.Message.StartsWith("Expected depth to be zero", StringComparison.Ordinal)
            || e.Message.Contains("end of data", StringComparison.Ordinal))
        {
            return "the file ends before the JSON is complete (truncated?)";
        }
        int cut = e.Message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut < 0 ? e.Message : e.Message[..cut];
    }

    private static int[] LineStarts(ReadOnlySpan<byte> utf8)
    {
        var starts = new List<int> { 0 };
        for (int i = 0; i < utf8.Length; i++)
        {
            if (utf8[i] == (byte)'\n') starts.Add(i + 1);
        }
        return [.. starts];
    }

    private static int LineOf(int[] lineStarts, long offset)
    {
        int index = Array.BinarySearch(lineStarts, (int)offset);
        return (index >= 0 ? index : ~index - 1) + 1;
    }
}
