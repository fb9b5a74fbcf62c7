namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>A Channel Access operation failed; <see cref="Status"/> is the ECA code from the server or the client library.</summary>
public sealed class CaException(uint status, string? message = null)
    : Exception(message ?? CaStatus.Describe(status))
{
    public uint Status { get; } = status;
}
