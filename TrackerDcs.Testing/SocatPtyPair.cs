using System.Diagnostics;

namespace TrackerDcs.Testing;

/// <summary>
/// A real pseudo-terminal pair from socat (`socat -d -d pty,raw,echo=0,link=A pty,raw,echo=0,link=B`), linked
/// as A and B in a fresh temporary directory: the stand-in for an RS-232 cable. <see cref="Kill"/> pulls the
/// cable; <see cref="Start"/> plugs a new one in under the same link names. With <c>countBytes</c> socat also
/// runs with <c>-x</c> and the "length=" of every transfer it dumps is added up per direction: the bytes a real
/// serial line would have to carry.
/// </summary>
public sealed class SocatPtyPair : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("trackerdcs-pty-").FullName;
    private readonly bool _countBytes;
    private Process? _socat;
    private long _bytesAtoB;
    private long _bytesBtoA;

    public SocatPtyPair(bool countBytes = false)
    {
        _countBytes = countBytes;
        Start();
    }

    public string A => Path.Combine(_dir, "a");
    public string B => Path.Combine(_dir, "b");

    /// <summary>Bytes written into A (read at B), and into B (read at A), so far; zero without countBytes.</summary>
    public long BytesAtoB => Interlocked.Read(ref _bytesAtoB);
    public long BytesBtoA => Interlocked.Read(ref _bytesBtoA);

    public void Start()
    {
        if (_socat is { HasExited: false }) throw new InvalidOperationException("socat is already running");
        var start = new ProcessStartInfo("/usr/bin/socat") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (_countBytes) start.ArgumentList.Add("-x");
        foreach (var arg in new[] { "-d", "-d", $"pty,raw,echo=0,link={A}", $"pty,raw,echo=0,link={B}" }) start.ArgumentList.Add(arg);
        _socat = Process.Start(start) ?? throw new InvalidOperationException("could not start /usr/bin/socat");
        // socat reports on stderr; it is always drained, so socat can never block on a full pipe.
        _socat.ErrorDataReceived += (_, e) => Count(e.Data);
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

    // socat -x: "> 2026/11/25 15:45:43.000123  length=9 from=0 to=8" then the hex dump; ">" is left to right.
    private void Count(string? line)
    {
        if (line is not { Length: > 2 } || line[0] is not ('>' or '<') || line[1] != ' ') return;
        var at = line.IndexOf("length=", StringComparison.Ordinal);
        if (at < 0) return;
        var digits = new string(line.AsSpan(at + 7).ToString().TakeWhile(char.IsAsciiDigit).ToArray());
        if (!long.TryParse(digits, out var length)) return;
        if (line[0] == '>') Interlocked.Add(ref _bytesAtoB, length); else Interlocked.Add(ref _bytesBtoA, length);
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
