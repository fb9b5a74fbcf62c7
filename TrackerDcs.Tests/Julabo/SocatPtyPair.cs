using System.Diagnostics;

namespace TrackerDcs.Tests.Julabo;

/// <summary>
/// A real pseudo-terminal pair from socat, linked as A and B in a fresh temp directory: the stand-in
/// for an RS-232 cable. <see cref="Kill"/> pulls the cable; <see cref="Start"/> plugs a new one in
/// under the same link names.
/// </summary>
public sealed class SocatPtyPair : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("julabo-pty-").FullName;
    private Process? _socat;

    public SocatPtyPair() => Start();

    public string A => Path.Combine(_dir, "a");
    public string B => Path.Combine(_dir, "b");

    public void Start()
    {
        if (_socat is { HasExited: false }) throw new InvalidOperationException("socat is already running");
        var start = new ProcessStartInfo("/usr/bin/socat")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-d", "-d", $"pty,raw,echo=0,link={A}", $"pty,raw,echo=0,link={B}" }) start.ArgumentList.Add(arg);
        _socat = Process.Start(start)!;
        // socat reports on stderr; drain it so it can never block on a full pipe.
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

    public void Kill()
    {
        if (_socat is null) return;
        if (!_socat.HasExited) _socat.Kill();
        _socat.WaitForExit();
        _socat.Dispose();
        _socat = null;
        // socat removes its links when it ends by a signal it handles; after SIGKILL they are left dangling.
        File.Delete(A);
        File.Delete(B);
    }

    public void Dispose()
    {
        Kill();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
