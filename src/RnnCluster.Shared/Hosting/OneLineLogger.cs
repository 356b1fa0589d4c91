using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;

namespace RnnCluster.Shared.Hosting;

/// <summary>
/// Akka's own log (warnings and errors, see <see cref="ActorSystemSettings.Base"/>) on standard error, one line
/// per event, so a program's own output stays readable and parseable. Connections that drop or cannot be
/// made are ordinary in a cluster whose members come and go: a peer closing its connection (Akka's
/// EndpointDisassociatedException, an error and a warning every time a member leaves) is not printed at all,
/// since the programs say in their own words who left; other remoting exceptions (and the bootstrap's probes
/// of contact points not up yet) are named, not traced, and
/// the stack frames Akka writes into such messages are cut. Any other exception keeps its trace: that is a
/// fault worth reading. A warning repeated word for word within <see cref="RepeatAfter"/> (a
/// worker retrying an absent seed node every few seconds, again after every job) is printed once per process.
/// </summary>
public sealed class OneLineLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    public static readonly TimeSpan RepeatAfter = TimeSpan.FromMinutes(10);

    /// <summary>When each warning was last printed; shared by the loggers of every actor system in the process.</summary>
    private static readonly Dictionary<string, DateTime> Printed = new();

    public OneLineLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(Print);
    }

    private void Print(LogEvent logEvent)
    {
        if (IsDisassociation(logEvent)) return;
        var line = Format(logEvent);
        if (logEvent.LogLevel() == LogLevel.WarningLevel && IsRepeat(line, logEvent.Timestamp)) return;
        Console.Error.WriteLine(line);
    }

    /// <summary>`akka warning: message`, then the cause: named when it is a connection's, else with its trace.</summary>
    public static string Format(LogEvent logEvent)
    {
        var level = logEvent.LogLevel() switch
        {
            LogLevel.ErrorLevel => "error",
            LogLevel.WarningLevel => "warning",
            LogLevel.InfoLevel => "info",
            _ => "debug",
        };
        var message = WithoutStackFrames(logEvent.Message?.ToString() ?? "");
        return logEvent.Cause switch
        {
            null => $"akka {level}: {message}",
            var cause when IsConnectionFault(cause) => $"akka {level}: {message} ({cause.GetType().Name}: {WithoutStackFrames(cause.Message)})",
            var cause => $"akka {level}: {message}{Environment.NewLine}{cause}",
        };
    }

    /// <summary>Akka.Remote's exception for a connection its peer closed (internal to Akka, so named here).</summary>
    private const string Disassociated = "Akka.Remote.EndpointDisassociatedException";

    public static bool IsDisassociation(LogEvent logEvent) =>
        logEvent.Cause?.GetType().FullName == Disassociated
        || logEvent.Message?.ToString()?.Contains(Disassociated, StringComparison.Ordinal) == true;

    /// <summary>
    /// Akka.Remote's faults, and the bootstrap's HTTP probe of a contact point that is not up yet (an aggregate of
    /// HttpRequestException or a timeout), which is every node's normal state while a cluster forms.
    /// </summary>
    private static bool IsConnectionFault(Exception cause) => cause switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.All(IsConnectionFault),
        HttpRequestException or TaskCanceledException => true,
        _ => cause.GetType().Namespace?.StartsWith("Akka.Remote", StringComparison.Ordinal) == true,
    };

    /// <summary>
    /// The text's lines joined by spaces, without the `at ...` frames of exceptions written into it (a frame's
    /// closing brackets stay: Akka writes exceptions inside `[...]`).
    /// </summary>
    private static string WithoutStackFrames(string text)
    {
        var line = new System.Text.StringBuilder();
        foreach (var part in text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("at ", StringComparison.Ordinal) || part.StartsWith("--- End of", StringComparison.Ordinal))
                line.Append(part[part.TrimEnd(']').Length..]);
            else
                line.Append(line.Length == 0 ? "" : " ").Append(part);
        }
        return line.ToString();
    }

    private static bool IsRepeat(string line, DateTime now)
    {
        lock (Printed)
        {
            if (Printed.TryGetValue(line, out var last) && now - last < RepeatAfter) return true;
            if (Printed.Count > 1000) Printed.Clear();
            Printed[line] = now;
            return false;
        }
    }
}
