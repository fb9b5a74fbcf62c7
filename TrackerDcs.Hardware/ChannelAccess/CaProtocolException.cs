namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>A peer sent bytes that are not a valid CA message: the circuit that received them is closed.</summary>
public sealed class CaProtocolException(string message) : Exception(message);
