namespace TrackerDcs.Hardware.Common;

/// <summary>The link to an instrument failed: the port or socket closed, could not be opened, or nothing came in time.</summary>
public class LinkException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Nothing (or nothing usable) arrived, or a write could not be completed, within the time allowed.</summary>
public sealed class LinkTimeoutException(string message) : LinkException(message);
