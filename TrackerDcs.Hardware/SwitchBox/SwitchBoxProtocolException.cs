namespace TrackerDcs.Hardware.SwitchBox;

/// <summary>A line that is not what the switch box protocol allows; the message quotes it, <see cref="RawLine"/> keeps it.</summary>
public sealed class SwitchBoxProtocolException(string message, string rawLine) : Exception(message)
{
    public string RawLine { get; } = rawLine;
}
