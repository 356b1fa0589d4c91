using System.Globalization;
using System.Text;

namespace Rnn.Math;

/// <summary>
/// The user's input is wrong: a flag, the config, a data file or a weights file. The message is complete on
/// its own (it names the file, field, tensor or 1-based line and what was expected); the CLI prints it
/// without a stack trace and exits with code 2.
/// The message quotes the input, which may be binary (an image given as a CSV, say): it is kept to one
/// printable line (<see cref="Printable"/>).
/// </summary>
public sealed class InputException(string message) : Exception(Printable(message))
{
    /// <summary>Longer messages lose their middle: a quoted binary "cell" can be kilobytes long.</summary>
    public const int MaxLength = 400;

    /// <summary>
    /// Control characters (which a terminal would act on: line breaks, escape sequences, bells) written as
    /// `\xNN`, and a message over <see cref="MaxLength"/> cut in the middle, keeping where and what was expected.
    /// </summary>
    public static string Printable(string message)
    {
        var text = new StringBuilder(message.Length);
        foreach (char c in message)
        {
            if (char.IsControl(c)) text.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            else text.Append(c);
        }
        if (text.Length <= MaxLength) return text.ToString();
        int half = (MaxLength - 5) / 2;
        return $"{text.ToString(0, half)} ... {text.ToString(text.Length - half, half)}";
    }
}
