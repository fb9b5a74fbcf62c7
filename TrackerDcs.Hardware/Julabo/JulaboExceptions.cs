namespace TrackerDcs.Hardware.Julabo;

/// <summary>Anything that went wrong talking to a Julabo unit.</summary>
public class JulaboException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The unit answered, but not with what the command calls for (wrong baud rate, noise on the line,
/// a reply meant for another command). The message quotes the raw reply so the operator can see it.
/// </summary>
public sealed class JulaboProtocolException(string message, string rawReply) : JulaboException(message)
{
    public string RawReply { get; } = rawReply;
}

/// <summary>The link itself failed: the port or socket closed, could not be opened, or the unit stopped answering.</summary>
public class JulaboTransportException(string message, Exception? inner = null) : JulaboException(message, inner);

/// <summary>No complete reply within the reply time-out, even after one retry.</summary>
public sealed class JulaboTimeoutException(string message) : JulaboTransportException(message);
