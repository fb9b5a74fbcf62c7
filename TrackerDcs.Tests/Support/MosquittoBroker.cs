using System.Diagnostics;
using System.Net.Sockets;

namespace TrackerDcs.Tests.Support;

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

    public async Task StartAgainAsync()
    {
        if (!File.Exists(Binary)) throw new FileNotFoundException($"{Binary} is missing (apt-get install mosquitto)");
        var config = Path.Combine(_directory, "mosquitto.conf");
        await File.WriteAllLinesAsync(config, [$"listener {Port} 127.0.0.1", "allow_anonymous true", "persistence false"]);
        var info = new ProcessStartInfo(Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(config);
        _process = Process.Start(info)!;
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
