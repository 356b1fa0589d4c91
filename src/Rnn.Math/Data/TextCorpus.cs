using System.Globalization;
using System.Text;
using Rnn.Math.Config;

namespace Rnn.Math.Data;

/// <summary>
/// `data.source: "text"`: a UTF-8 file read as characters (Unicode scalar values, so an emoji or a letter outside
/// the BMP is one token). <see cref="Vocabulary"/> is the sorted distinct characters (by code point, so the same
/// text gives the same ids everywhere) and <see cref="Ids"/> the text as their indices. Its samples are windows of
/// T characters every `stride` characters, each step's target the character after it.
/// </summary>
public sealed class TextCorpus
{
    private TextCorpus(IReadOnlyList<string> vocabulary, int[] ids)
    {
        Vocabulary = vocabulary;
        Ids = ids;
    }

    public IReadOnlyList<string> Vocabulary { get; }

    public int[] Ids { get; }

    /// <summary>The corpus of a config whose data source is text, or null for any other source.</summary>
    public static TextCorpus? Of(RunConfig config)
        => config.Data.Source == DataSource.Text ? Read(DatasetLoader.ResolvePath(config)) : null;

    /// <summary>
    /// The file's characters; a missing, empty or not UTF-8 file is an <see cref="InputException"/> naming it. With a
    /// model's <paramref name="vocabulary"/> its ids are that vocabulary's, and a character outside it is an error.
    /// </summary>
    public static TextCorpus Read(string path, IReadOnlyList<string>? vocabulary = null)
    {
        string name = Path.GetFileName(path);
        if (!File.Exists(path)) throw new InputException($"text file not found: {path}");
        var bytes = File.ReadAllBytes(path);
        string text;
        try
        {
            text = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InputException($"{name}: not UTF-8 text: byte {e.Index} (0x{e.BytesUnknown?.FirstOrDefault():X2}) starts no character; a text source reads UTF-8");
        }
        if (text.Length > 0 && text[0] == '\uFEFF') text = text[1..];
        if (text.Length == 0) throw new InputException($"{name}: the text is empty: a text source needs characters to learn from");
        vocabulary ??= text.EnumerateRunes().Select(rune => rune.ToString()).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new TextCorpus(vocabulary, Encode(vocabulary, text, name));
    }

    /// <summary>
    /// Every window of <paramref name="timesteps"/> characters starting at multiples of <paramref name="stride"/>
    /// that has a next character after its last: x (N, T, 1) ids, y (N, T, 1) the next ids, the last
    /// <paramref name="validationSplit"/> of the windows for validation; cut when built or written (<see cref="WindowedSeries"/>).
    /// </summary>
    internal WindowedSeries Windows(int timesteps, int stride, float validationSplit, Action<DatasetSize> beforeAllocating)
    {
        if (Ids.Length < timesteps + 1)
        {
            throw new InputException(string.Create(CultureInfo.InvariantCulture,
                $"data.timesteps: {timesteps} needs a text of at least {timesteps + 1} characters (a window and the character after it); this one has {Ids.Length}"));
        }
        long windows = (Ids.Length - timesteps - 1) / stride + 1;
        if (windows * timesteps > Array.MaxLength)
        {
            throw new InputException(string.Create(CultureInfo.InvariantCulture,
                $"data.stride: {windows:N0} windows of {timesteps} characters are {windows * timesteps:N0} values, more than one array can hold ({Array.MaxLength:N0}); raise the stride"));
        }
        int samples = (int)windows;
        int train = ValidationSplit.RequireTrainCount(samples, validationSplit, "windows");
        beforeAllocating(new DatasetSize(samples, train, timesteps, 1));
        var ids = Ids;
        return new WindowedSeries(new Dataset(default, default, samples, timesteps, 1, 1, SequenceTargets: true, train) { Classes = Vocabulary.Count },
            (s, into) =>
            {
                for (int t = 0; t < timesteps; t++) into[t] = ids[s * stride + t];
            },
            (s, into) =>
            {
                for (int t = 0; t < timesteps; t++) into[t] = ids[s * stride + t + 1];
            });
    }

    /// <summary>The ids of <paramref name="text"/>, or an <see cref="InputException"/> naming the first character outside the vocabulary.</summary>
    public static int[] Encode(IReadOnlyList<string> vocabulary, string text, string field)
    {
        var index = vocabulary.Select((character, id) => (character, id)).ToDictionary(p => p.character, p => p.id);
        var ids = new List<int>();
        int position = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            var character = rune.ToString();
            if (!index.TryGetValue(character, out int id))
            {
                throw new InputException(string.Create(CultureInfo.InvariantCulture,
                    $"{field}: character {Describe(character)} at position {position} is not in the model's vocabulary of {vocabulary.Count} characters"));
            }
            ids.Add(id);
            position++;
        }
        return [.. ids];
    }

    /// <summary>A character as an error names it: itself in quotes, or its code point when it does not print.</summary>
    public static string Describe(string character)
    {
        var rune = Rune.GetRuneAt(character, 0);
        return Rune.IsControl(rune) || Rune.IsWhiteSpace(rune)
            ? $"U+{rune.Value:X4}"
            : $"'{character}' (U+{rune.Value:X4})";
    }
}
