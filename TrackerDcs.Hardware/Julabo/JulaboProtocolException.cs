namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// The unit answered, but not with what the command calls for (wrong baud rate, noise on the line,
/// a reply meant for another command). The message quotes the raw reply so the operator can see it.
/// A failure of the link itself is a <see cref="Common.LinkException"/>.
/// </summary>
public sealed class JulaboProtocolException(string message, string rawReply) : Exception(message)
{
    public string RawReply { get; } = rawReply;
}
