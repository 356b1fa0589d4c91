namespace Rnn.Math;

/// <summary>
/// The user's input is wrong: a flag, the config, a data file or a weights file. The message is complete on
/// its own (it names the file, field, tensor or 1-based line and what was expected); the CLI prints it
/// without a stack trace and exits with code 2.
/// </summary>
public sealed class InputException(string message) : Exception(message);
