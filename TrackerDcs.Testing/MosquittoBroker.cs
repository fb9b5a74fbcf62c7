using System.Diagnostics;
using System.Net.Sockets;

namespace TrackerDcs.Testing;

/// <summary>
/// Debian's Mosquitto as a broker outside the stand (the lab's broker): anonymous, loopback, a free port.
/// Stoppable and startable again on the same port; killed and its directory removed on dispose.
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    private const string Binary = "/usr/sbin/mosquitto";
    private readonly string _directory = Directory.CreateTempSubdirectory("trackerdcs-test-mosquitto-").FullName;
    private Process? _process;

    private MosquittoBroker(int port) => Port = port;

    public int Port { get; }

    public static async Task<MosquittoBroker> StartAsync()
    {
        var broker = new MosquittoBroker(FreePort.Tcp());
        await broker.StartAgainAsync();
        return broker;
    }

    /// <summary>
    /// How to run Debian's mosquitto on 127.0.0.1:<paramref name="port"/>, anonymous and without persistence, with
    /// its configuration written into <paramref name="directory"/> (also its working directory); output redirected.
    /// </summary>
    /// <param name="settings">More mosquitto.conf lines (the bench's deeper queues).</param>
    public static ProcessStartInfo StartInfo(string directory, int port, params string[] settings)
    {
        if (!File.Exists(Binary)) throw new FileNotFoundException($"{Binary} is missing (apt-get install mosquitto)");
        var config = Path.Combine(directory, "mosquitto.conf");
        File.WriteAllLines(config, [$"listener {port} 127.0.0.1", "allow_anonymous true", "persistence false", .. settings]);
        var info = new ProcessStartInfo(Binary)
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(config);
        return info;
    }

    public async Task StartAgainAsync()
    {
        _process = Process.Start(StartInfo(_directory, Port))!;
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode} (port {Port})");
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>Stops the broker; retained messages go with it (no persistence), as after a crash of the lab's broker.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process) return;
        process.Kill();
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
