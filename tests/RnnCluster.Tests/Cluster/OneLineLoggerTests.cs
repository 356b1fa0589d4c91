using Akka.Event;
using Akka.Remote.Transport;
using RnnCluster.Shared.Hosting;

namespace RnnCluster.Tests.Cluster;

public class OneLineLoggerTests
{
    private const string Source = "akka.tcp://rnn-cluster@127.0.0.1:4053/system/endpointManager";

    /// <summary>What Akka.Remote logs, word for word, each time a member closes its connection.</summary>
    private const string GatedAfterDisassociation = """
        Association with remote system akka.tcp://rnn-cluster@127.0.0.1:4053 has failed; address is now gated for 5000 ms. Reason is: [Akka.Remote.EndpointDisassociatedException: Disassociated
           at Akka.Remote.EndpointWriter.Unhandled(Object message)
           at Akka.Actor.ActorCell.Invoke(Envelope envelope)]
        """;

    [Fact]
    public void A_peer_closing_its_connection_is_not_printed()
        => Assert.True(OneLineLogger.IsDisassociation(new Warning(Source, typeof(OneLineLoggerTests), GatedAfterDisassociation)));

    [Fact]
    public void Stack_frames_written_into_a_message_are_cut_keeping_its_closing_bracket()
    {
        var line = OneLineLogger.Format(new Warning(Source, typeof(OneLineLoggerTests), GatedAfterDisassociation));
        Assert.Equal("akka warning: Association with remote system akka.tcp://rnn-cluster@127.0.0.1:4053 has failed; address is now gated " +
            "for 5000 ms. Reason is: [Akka.Remote.EndpointDisassociatedException: Disassociated]", line);
    }

    [Fact]
    public void A_remoting_exception_is_named_on_the_same_line_without_its_trace()
    {
        var cause = Thrown(new InvalidAssociationException("Connection refused tcp://rnn-cluster@127.0.0.1:4053"));
        var line = OneLineLogger.Format(new Error(cause, Source, typeof(OneLineLoggerTests), "association failed"));
        Assert.Equal("akka error: association failed (InvalidAssociationException: Connection refused tcp://rnn-cluster@127.0.0.1:4053)", line);
    }

    [Fact]
    public void Any_other_exception_keeps_its_trace_a_fault_worth_reading()
    {
        var cause = Thrown(new InvalidOperationException("the replica lost its weights"));
        var text = OneLineLogger.Format(new Error(cause, Source, typeof(OneLineLoggerTests), "round 7 failed"));
        Assert.StartsWith($"akka error: round 7 failed{Environment.NewLine}System.InvalidOperationException: the replica lost its weights", text);
        Assert.Contains($"   at {typeof(OneLineLoggerTests).FullName}.{nameof(Thrown)}", text);
    }

    private static Exception Thrown(Exception exception)
    {
        try
        {
            throw exception;
        }
        catch (Exception thrown)
        {
            return thrown;
        }
    }
}
