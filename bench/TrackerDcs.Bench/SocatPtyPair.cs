using System.Diagnostics;

namespace TrackerDcs.Bench;

/// <summary>
/// A pseudo-terminal pair from socat (`socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`) in a
/// fresh temporary directory: the stand-in for the RS-232 cable. Killed and removed on dispose.
/// </summary>
public sealed class SocatPtyPair : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trackerdcs-bench-pty-").FullName;
    private readonly Process _socat;

    public SocatPtyPair()
    {
        var start = new ProcessStartInfo("/usr/bin/socat") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[] { "-d", "-d", $"pty,raw,echo=0,link={A}", $"pty,raw,echo=0,link={B}" }) start.ArgumentList.Add(arg);
        _socat = Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/socat");
        _socat.ErrorDataReceived += (_, _) => { };
        _socat.OutputDataReceived += (_, _) => { };
        _socat.BeginErrorReadLine();
        _socat.BeginOutputReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!(File.Exists(A) && File.Exists(B)))
        {
            if (_socat.HasExited || DateTime.UtcNow > deadline) throw new InvalidOperationException($"socat did not create {A} and {B}");
            Thread.Sleep(10);
        }
    }

    public string A => Path.Combine(_dir, "a");
    public string B => Path.Combine(_dir, "b");

    public void Dispose()
    {
        if (!_socat.HasExited) _socat.Kill();
        _socat.WaitForExit();
        _socat.Dispose();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
