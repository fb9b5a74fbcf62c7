using System.Diagnostics;
using System.Globalization;

namespace TrackerDcs.Testing;

/// <summary>
/// libca through Debian's pyepics, the reference Channel Access peer, searching one server port on loopback only.
/// </summary>
public static class PyEpicsProcess
{
    /// <summary>How to run Python with <paramref name="arguments"/> against the CA server on <paramref name="port"/>; standard streams redirected.</summary>
    public static ProcessStartInfo StartInfo(int port, params string[] arguments)
    {
        var start = new ProcessStartInfo(DebianPython.Path)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["EPICS_CA_ADDR_LIST"] = $"127.0.0.1:{port}";
        start.Environment["EPICS_CA_AUTO_ADDR_LIST"] = "NO";
        start.Environment["EPICS_CA_SERVER_PORT"] = port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PYTHONUNBUFFERED"] = "1";
        return start;
    }
}
