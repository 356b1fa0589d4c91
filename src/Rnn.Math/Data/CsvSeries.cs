using System.Globalization;
using CsvHelper;
using Rnn.Math.Config;

namespace Rnn.Math.Data;

/// <summary>
/// Numeric columns of a CSV file with a header row, read with CsvHelper. Each data row keeps the 1-based
/// line an editor shows for it (the header is line 1), so every error names the file, line and column.
/// </summary>
internal sealed class CsvSeries
{
    private CsvSeries(string fileName, Dictionary<string, float[]> columns, int[] lines)
    {
        FileName = fileName;
        this.columns = columns;
        Lines = lines;
    }

    private readonly Dictionary<string, float[]> columns;

    public string FileName { get; }

    /// <summary>The line of each data row.</summary>
    public int[] Lines { get; }

    public int Rows => Lines.Length;

    public bool Has(string column) => columns.ContainsKey(column);

    public float[] Column(string column) => columns[column];

    /// <summary>
    /// Reads the <paramref name="features"/> columns and the <paramref name="target"/> column; a target the
    /// header lacks is an error only when <paramref name="targetRequired"/> (new input for `predict` may not know it).
    /// </summary>
    public static CsvSeries Read(string path, IReadOnlyList<string> features, string target, bool targetRequired)
    {
        if (!File.Exists(path)) throw new InputException($"data file not found: {path}");
        string file = Path.GetFileName(path);
        var options = CsvReaderOptions.Default with
        {
            TrackLineNumbers = true,
            TrimWhitespace = true,
            MalformedData = CsvMalformedDataHandling.Throw,
        };
        try
        {
            using var csv = CsvReader.FromFile(path, options);
            return Read(csv, path, features, target, targetRequired);
        }
        catch (CsvFormatException e)
        {
            throw new InputException($"{file} line {e.LineNumber}: malformed CSV (a stray or unclosed quote?)");
        }
    }

    private static CsvSeries Read(CsvReader csv, string path, IReadOnlyList<string> features, string target, bool targetRequired)
    {
        string file = Path.GetFileName(path);
        csv.ReadHeader();
        string[] header = [.. csv.Headers];
        if (header.Length == 0) throw new InputException($"{file}: the file is empty; expected a header row and data rows");
        var wanted = features.ToList();
        var fields = features.Select(_ => "data.columns").ToList();
        if (!wanted.Contains(target) && (targetRequired || header.Contains(target)))
        {
            wanted.Add(target);
            fields.Add("data.target");
        }
        int[] indexes = [.. wanted.Select((name, c) => IndexOf(header, name, file, fields[c]))];
        var values = wanted.Select(_ => new List<float>()).ToList();
        var lines = new List<int>();
        int previous = 1;
        while (csv.Read())
        {
            int line = (int)csv.LineNumber;
            if (line > previous + 1) RefuseBlankLine(path, file, previous + 1);
            previous = line;
            for (int c = 0; c < wanted.Count; c++)
            {
                string? cell = indexes[c] < csv.FieldCount ? csv.GetString(indexes[c]) : null;
                values[c].Add(ParseCell(cell, file, line, wanted[c]));
            }
            lines.Add(line);
        }
        var columns = wanted.Select((name, c) => (name, c)).ToDictionary(p => p.name, p => values[p.c].ToArray());
        return new CsvSeries(file, columns, [.. lines]);
    }

    /// <summary>
    /// CsvHelper skips blank lines, so the rows on either side would become neighbours and a window would span
    /// the gap as if no time had passed. Blank lines after the last row are harmless and pass. A jump in line
    /// numbers can also be a quoted cell that spans lines, hence the look at the line itself.
    /// </summary>
    private static void RefuseBlankLine(string path, string file, int line)
    {
        if (File.ReadLines(path).ElementAtOrDefault(line - 1) is { } text && string.IsNullOrWhiteSpace(text))
            throw new InputException($"{file} line {line}: blank line between data rows; a window would span the gap as if the rows were consecutive (remove the line, or end the series there)");
    }

    private static int IndexOf(string[] header, string name, string file, string field)
    {
        int index = Array.IndexOf(header, name);
        if (index >= 0) return index;
        throw new InputException(
            $"{file} line 1: no column \"{name}\" (asked for by {field}){NearestName.Hint(name, header)} (the header has {NearestName.List(header)})");
    }

    private static float ParseCell(string? cell, string file, int line, string column)
    {
        string where = $"{file} line {line}: column \"{column}\"";
        if (cell is null) throw new InputException($"{where}: the row ends before this column");
        if (cell.Length == 0) throw new InputException($"{where}: empty cell, expected a number");
        if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            throw new InputException($"{where}: \"{cell}\" is not a number");
        }
        if (!float.IsFinite((float)value)) throw new InputException($"{where}: \"{cell}\" is not a finite number");
        return (float)value;
    }
}
