using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RnnCluster.Tests.Dashboard;

/// <summary>One sample of a scrape: its metric name, labels and value.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

/// <summary>
/// A strict reader of Prometheus's text exposition format (version 0.0.4): every line is a HELP, a TYPE, a
/// comment, blank, or a sample of a family declared by an earlier TYPE; names and label names follow the
/// format's grammar; label values are quoted with its three escapes; a series appears once; a histogram's
/// buckets are cumulative and its +Inf bucket equals its count. Anything else throws.
/// </summary>
internal static partial class PrometheusText
{
    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$")]
    private static partial Regex LabelName();

    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        var types = new Dictionary<string, string>();
        var helps = new HashSet<string>();
        var samples = new List<PrometheusSample>();
        var series = new HashSet<string>();
        var lines = text.Split('\n');
        if (lines[^1] != "") throw new FormatException("the exposition does not end with a line feed");
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var line = lines[i];
            var where = $"line {i + 1}: '{line}'";
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] == "HELP")
                {
                    Require(MetricName().IsMatch(parts[2]) && helps.Add(parts[2]), where);
                }
                else if (parts.Length >= 3 && parts[1] == "TYPE")
                {
                    Require(parts.Length == 4 && MetricName().IsMatch(parts[2]) && Types.Contains(parts[3]), where);
                    Require(!samples.Any(s => Family(s.Name, types) == parts[2]) && types.TryAdd(parts[2], parts[3]), where);
                }
                continue;
            }
            PrometheusSample sample;
            try
            {
                sample = Sample(line, where);
            }
            catch (IndexOutOfRangeException)
            {
                throw new FormatException($"not Prometheus text format: {where} ends inside its labels");
            }
            var family = Family(sample.Name, types) ?? throw new FormatException($"{where}: no TYPE declared for {sample.Name}");
            Require(family == sample.Name || types[family] is "histogram" or "summary", where);
            Require(series.Add(sample.Name + "{" + LabelKey(sample.Labels) + "}"), where);
            samples.Add(sample);
        }
        foreach (var (name, type) in types.Where(t => t.Value == "histogram")) CheckHistogram(name, samples);
        return samples;
    }

    /// <summary>The single sample of <paramref name="name"/> with no labels.</summary>
    public static double Value(this IReadOnlyList<PrometheusSample> samples, string name) =>
        samples.Single(s => s.Name == name && s.Labels.Count == 0).Value;

    private static PrometheusSample Sample(string line, string where)
    {
        var pos = 0;
        while (pos < line.Length && line[pos] is not ('{' or ' ')) pos++;
        var name = line[..pos];
        Require(MetricName().IsMatch(name), where);
        var labels = new Dictionary<string, string>();
        if (pos < line.Length && line[pos] == '{')
        {
            pos++;
            while (line[pos] != '}')
            {
                var equals = line.IndexOf('=', pos);
                Require(equals > pos, where);
                var label = line[pos..equals];
                Require(LabelName().IsMatch(label) && line[equals + 1] == '"', where);
                var value = new StringBuilder();
                pos = equals + 2;
                for (; line[pos] != '"'; pos++)
                {
                    if (line[pos] != '\\')
                    {
                        value.Append(line[pos]);
                        continue;
                    }
                    pos++;
                    value.Append(line[pos] switch
                    {
                        '\\' => '\\',
                        '"' => '"',
                        'n' => '\n',
                        _ => throw new FormatException($"{where}: bad escape"),
                    });
                }
                Require(labels.TryAdd(label, value.ToString()), where);
                pos++;
                if (line[pos] == ',') pos++;
            }
            pos++;
        }
        Require(pos < line.Length && line[pos] == ' ', where);
        var fields = line[(pos + 1)..].Split(' ');
        Require(fields.Length is 1 or 2, where);
        if (fields.Length == 2) Require(long.TryParse(fields[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _), where);
        return new PrometheusSample(name, labels, Number(fields[0], where));
    }

    private static double Number(string text, string where) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) => value,
        _ => throw new FormatException($"{where}: '{text}' is not a number"),
    };

    private static string? Family(string sample, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sample)) return sample;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && types.ContainsKey(sample[..^suffix.Length])) return sample[..^suffix.Length];
        return null;
    }

    private static void CheckHistogram(string name, List<PrometheusSample> samples)
    {
        var groups = samples.Where(s => s.Name == name + "_bucket").GroupBy(s => LabelKey(s.Labels, except: "le"));
        foreach (var group in groups)
        {
            var buckets = group.Select(s => (Le: Number(s.Labels["le"], name), s.Value)).OrderBy(b => b.Le).ToList();
            for (var i = 1; i < buckets.Count; i++)
                Require(buckets[i].Value >= buckets[i - 1].Value, $"{name}: buckets are not cumulative");
            Require(double.IsPositiveInfinity(buckets[^1].Le), $"{name}: no +Inf bucket");
            var count = samples.Single(s => s.Name == name + "_count" && LabelKey(s.Labels) == group.Key);
            Require(count.Value == buckets[^1].Value, $"{name}: the +Inf bucket is not the count");
        }
    }

    private static string LabelKey(IReadOnlyDictionary<string, string> labels, string? except = null) =>
        string.Join(",", labels.Where(l => l.Key != except).OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}={l.Value}"));

    private static void Require(bool condition, string where)
    {
        if (!condition) throw new FormatException($"not Prometheus text format: {where}");
    }
}
