using System.Text;
using Rnn.Math;
using Rnn.Math.Data;

namespace RnnCluster.Tests.Data;

/// <summary>The text source: characters as tokens, the sorted vocabulary, windows and their next characters, and its bad input.</summary>
public class TextCorpusTests
{
    [Fact]
    public void The_vocabulary_is_the_sorted_distinct_characters_and_an_emoji_is_one()
    {
        using var folder = new TempFolder();
        var path = folder.Write("t.txt", "\uFEFFba\u00e9b\U0001F600a");

        var corpus = TextCorpus.Read(path);

        Assert.Equal(["a", "b", "\u00e9", "\U0001F600"], corpus.Vocabulary);
        Assert.Equal([1, 0, 2, 1, 3, 0], corpus.Ids);
    }

    [Fact]
    public void Windows_step_by_the_stride_and_target_the_next_character()
    {
        using var folder = new TempFolder();
        var corpus = TextCorpus.Read(folder.Write("t.txt", "abcdefgh"));

        var data = corpus.Windows(timesteps: 3, stride: 2, validationSplit: 0.3f, _ => { }).Build();

        // Windows at 0, 2, 4 ("abc", "cde", "efg"); one at 6 would need a 10th character.
        Assert.Equal(3, data.Samples);
        Assert.Equal([0, 1, 2, 2, 3, 4, 4, 5, 6], data.X.ToArray());
        Assert.Equal([1, 2, 3, 3, 4, 5, 5, 6, 7], data.Y.ToArray());
        Assert.Equal(8, data.Classes);
        Assert.Equal(1, data.ValidationCount);
        Assert.True(data.SequenceTargets);
    }

    [Fact]
    public void A_model_vocabulary_encodes_new_text_and_names_a_character_it_lacks()
    {
        Assert.Equal([1, 0, 1], TextCorpus.Encode(["a", "b"], "bab", "--prompt"));

        var error = Assert.Throws<InputException>(() => TextCorpus.Encode(["a", "b"], "ab\u00e7", "--prompt"));

        Assert.Equal("--prompt: character '\u00e7' (U+00E7) at position 2 is not in the model's vocabulary of 2 characters", error.Message);
    }

    [Theory]
    [InlineData(new byte[0], "t.txt: the text is empty")]
    [InlineData(new byte[] { 0x61, 0x62, 0xFF, 0x63 }, "t.txt: not UTF-8 text: byte 2 (0xFF)")]
    public void An_empty_or_not_utf8_file_is_named(byte[] bytes, string expected)
    {
        using var folder = new TempFolder();
        var path = folder.File("t.txt");
        File.WriteAllBytes(path, bytes);

        Assert.StartsWith(expected, Assert.Throws<InputException>(() => TextCorpus.Read(path)).Message);
    }

    [Fact]
    public void A_text_shorter_than_a_window_and_its_next_character_is_refused()
    {
        using var folder = new TempFolder();
        var corpus = TextCorpus.Read(folder.Write("t.txt", Encoding.UTF8.GetString("abc"u8)));

        var error = Assert.Throws<InputException>(() => corpus.Windows(3, 3, 0f, _ => { }).Build());

        Assert.Equal("data.timesteps: 3 needs a text of at least 4 characters (a window and the character after it); this one has 3", error.Message);
    }
}
