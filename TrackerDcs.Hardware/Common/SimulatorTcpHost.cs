using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace TrackerDcs.Hardware.Common;

/// <summary>
/// Serves a simulated instrument on 127.0.0.1 (never the lab network: a demo must not answer for a real
/// instrument), as a serial bridge serves a real one. While the instrument is unplugged, connected clients
/// are dropped and new ones closed at once.
/// </summary>
internal sealed class SimulatorTcpHost : IAsyncDisposable
{
    private static readonly TimeSpan UnplugCheck = TimeSpan.FromMilliseconds(50);

    private readonly ISimulatedInstrument _instrument;
    private readonly string _name;
    private readonly ILogger _logger;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _acceptLoop;
    private readonly List<Task> _sessions = [];

    /// <param name="name">The instrument in log messages ("switch box simulator").</param>
    public SimulatorTcpHost(ISimulatedInstrument instrument, int port, string name, ILogger logger)
    {
        _instrument = instrument;
        _name = name;
        _logger = logger;
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            if (_instrument.Unplugged) { client.Dispose(); continue; }
            lock (_sessions)
            {
                _sessions.RemoveAll(t => t.IsCompleted);
                _sessions.Add(Task.Run(() => SessionAsync(client)));
            }
        }
    }

    private async Task SessionAsync(TcpClient client)
    {
        using var _ = client;
        using var session = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var stream = client.GetStream();
        // Pulling the cable drops the client: a watcher cancels the session when the instrument is unplugged.
        var watcher = Task.Run(async () =>
        {
            while (!session.IsCancellationRequested && !_instrument.Unplugged) await Task.Delay(UnplugCheck, CancellationToken.None);
            await session.CancelAsync();
        });
        try
        {
            await _instrument.ServeAsync(stream.ReadAsync, stream.WriteAsync, session.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            _logger.LogDebug("{Name}: TCP client {Client} ended: {Reason}", _name, client.Client.RemoteEndPoint, e.Message);
        }
        finally
        {
            await session.CancelAsync();
            await watcher;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        Task[] sessions;
        lock (_sessions) sessions = [.. _sessions];
        await Task.WhenAll(sessions);
        _stop.Dispose();
    }
}
