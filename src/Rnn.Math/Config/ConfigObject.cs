using System.Globalization;
using System.Text.Json;

namespace Rnn.Math.Config;

/// <summary>
/// One JSON object of the config, read field by field: typed values with defaults and range checks, and
/// every mistake an <see cref="InputException"/> that names the file, the line, the field's path and what
/// was expected.
/// </summary>
internal sealed class ConfigObject
{
    private readonly LocatedJson node;
    private readonly string file;

    public ConfigObject(LocatedJson node, string file)
    {
        this.file = file;
        this.node = node;
        if (node.Kind != JsonTokenType.StartObject) throw Error(node, $"expected an object {{ ... }}, got {node.Describe()}");
    }

    public LocatedJson? Field(string name)
        => node.Properties.FirstOrDefault(p => p.Key == name).Value;

    /// <summary>Fails on the first field not in <paramref name="allowed"/>, suggesting the nearest.</summary>
    public void RejectUnknown(IReadOnlyList<string> allowed, string owner)
    {
        foreach (var (name, value) in node.Properties)
        {
            if (allowed.Contains(name)) continue;
            throw Error(value, $"unknown field{owner}{NearestName.Hint(name, allowed)} (expected one of {NearestName.List(allowed)})");
        }
    }

    /// <summary>A nested object reached some other way than by field name (an array element).</summary>
    public ConfigObject Child(LocatedJson value) => new(value, file);

    public ConfigObject Object(string name)
        => new(Field(name) ?? throw Missing(name, "an object"), file);

    public ConfigObject? OptionalObject(string name)
        => Field(name) is { } value ? new ConfigObject(value, file) : null;

    /// <summary>A required array with at least one element.</summary>
    public IReadOnlyList<LocatedJson> Array(string name, string expected)
    {
        var value = Field(name) ?? throw Missing(name, expected);
        if (value.Kind != JsonTokenType.StartArray) throw Error(value, $"expected {expected}, got {value.Describe()}");
        if (value.Items.Count == 0) throw Error(value, $"expected {expected}, got an empty array");
        return value.Items;
    }

    /// <summary>A required non-empty string.</summary>
    public string String(string name, string expected)
    {
        var value = Field(name) ?? throw Missing(name, expected);
        if (value.Kind != JsonTokenType.String || value.Text.Length == 0)
        {
            throw Error(value, $"expected {expected}, got {value.Describe()}");
        }
        return value.Text;
    }

    /// <summary>A whole number at least <paramref name="min"/>; required when <paramref name="fallback"/> is null.</summary>
    public int Int(string name, int? fallback, int min)
    {
        string expected = min == 1 ? "a positive whole number" : $"a whole number >= {min}";
        var value = Field(name);
        if (value is null) return fallback ?? throw Missing(name, expected);
        if (value.Kind != JsonTokenType.Number
            || !double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double number)
            || number != System.Math.Floor(number) || number < min || number > int.MaxValue)
        {
            throw Error(value, $"expected {expected}, got {value.Describe()}");
        }
        return (int)number;
    }

    /// <summary>A seed: any whole number from 0 to 2^64 - 1.</summary>
    public ulong Seed(string name)
    {
        var value = Field(name);
        if (value is null) return 0;
        if (value.Kind != JsonTokenType.Number || !ulong.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed))
        {
            throw Error(value, $"expected a whole number from 0 to {ulong.MaxValue}, got {value.Describe()}");
        }
        return seed;
    }

    /// <summary>
    /// A finite number for which <paramref name="valid"/> holds, described by <paramref name="expected"/>;
    /// required when <paramref name="fallback"/> is null.
    /// </summary>
    public float Float(string name, float? fallback, Func<float, bool> valid, string expected)
    {
        var value = Field(name);
        if (value is null) return fallback ?? throw Missing(name, expected);
        if (value.Kind != JsonTokenType.Number
            || !float.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out float number)
            || !float.IsFinite(number) || !valid(number))
        {
            throw Error(value, $"expected {expected}, got {value.Describe()}");
        }
        return number;
    }

    public bool Bool(string name, bool fallback)
    {
        var value = Field(name);
        if (value is null) return fallback;
        return value.Kind switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw Error(value, $"expected true or false, got {value.Describe()}"),
        };
    }

    /// <summary>One of the enum's names in lower case (`"lstm"`); required when <paramref name="fallback"/> is null.</summary>
    public T Choice<T>(string name, string what, T? fallback) where T : struct, Enum
    {
        var value = Field(name);
        if (value is null) return fallback ?? throw Missing(name, $"one of {NearestName.List(NamesOf<T>())}");
        return Choice<T>(value, what);
    }

    /// <summary>As <see cref="Choice{T}(string, string, T?)"/>, for a value already in hand.</summary>
    public T Choice<T>(LocatedJson value, string what) where T : struct, Enum
        => Enum.Parse<T>(OneOf(value, what, NamesOf<T>()), ignoreCase: true);

    /// <summary>A required string that must be one of <paramref name="names"/> (any case); returns that name.</summary>
    public string OneOf(string name, string what, IReadOnlyList<string> names)
        => OneOf(Field(name) ?? throw Missing(name, $"one of {NearestName.List(names)}"), what, names);

    private string OneOf(LocatedJson value, string what, IReadOnlyList<string> names)
    {
        string expected = $"one of {NearestName.List(names)}";
        if (value.Kind != JsonTokenType.String) throw Error(value, $"expected {what}: {expected}, got {value.Describe()}");
        return names.FirstOrDefault(option => string.Equals(option, value.Text, StringComparison.OrdinalIgnoreCase))
            ?? throw Error(value, $"unknown {what} {value.Describe()}{NearestName.Hint(value.Text, names)} (expected {expected})");
    }

    /// <summary>An error of the object itself, pointing at its line.</summary>
    public InputException Error(string message) => Error(node, message);

    public InputException Error(LocatedJson at, string message)
        => new($"{file} line {at.Line}:{(at.Path.Length == 0 ? "" : $" {at.Path}:")} {message}");

    /// <summary>A required field is absent: the error points at the object that should hold it.</summary>
    public InputException Missing(string name, string expected)
    {
        string path = node.Path.Length == 0 ? name : $"{node.Path}.{name}";
        return new($"{file} line {node.Line}: {path}: missing required field (expected {expected})");
    }

    private static string[] NamesOf<T>() where T : struct, Enum
        => [.. Enum.GetNames<T>().Select(n => n.ToLowerInvariant())];
}
