namespace TrackerDcs.Testing;

/// <summary>
/// Debian's own interpreter, the one its python3-pyepics and python3-pymodbus packages install into: the python3
/// on PATH may be another interpreter without them.
/// </summary>
public static class DebianPython
{
    public const string Path = "/usr/bin/python3";
}
