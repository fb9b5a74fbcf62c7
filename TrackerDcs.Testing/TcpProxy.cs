using System.Net;
using System.Net.Sockets;

namespace TrackerDcs.Testing;

/// <summary>
/// A TCP forwarder on a free loopback port to <c>127.0.0.1:target</c> that a test can cut as a pulled cable would:
/// while cut, nothing gets through in either direction and nothing is closed (bytes are read and dropped, new
/// connections are accepted and never reach the target), so each side notices only by its own timeouts.
/// <see cref="Restore"/> ends the connections that lived through the cut (their peers gave up on them long ago) and
/// forwards new ones again.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly int _target;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<(TcpClient Client, TcpClient? Upstream)> _connections = [];
    private readonly Task _accepting;
    private volatile bool _cut;

    public TcpProxy(int target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>How many connections were accepted so far (the cut ones included).</summary>
    public int Accepted { get; private set; }

    public bool IsCut => _cut;

    public void Cut() => _cut = true;

    public void Restore()
    {
        List<(TcpClient, TcpClient?)> old;
        lock (_gate)
        {
            _cut = false;
            old = [.. _connections];
            _connections.Clear();
        }
        foreach (var (client, upstream) in old)
        {
            client.Dispose();
            upstream?.Dispose();
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            Accepted++;
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        if (_cut)
        {
            // A cut cable: the connection attempt gets no answer that matters; whatever it sends goes nowhere.
            lock (_gate) _connections.Add((client, null));
            await DrainAsync(client.GetStream());
            return;
        }
        var upstream = new TcpClient();
        try { await upstream.ConnectAsync(IPAddress.Loopback, _target, _stop.Token); }
        catch (Exception e) when (e is SocketException or OperationCanceledException)
        {
            client.Dispose();
            upstream.Dispose();
            return;
        }
        lock (_gate) _connections.Add((client, upstream));
        var down = PumpAsync(client.GetStream(), upstream.GetStream());
        var up = PumpAsync(upstream.GetStream(), client.GetStream());
        await Task.WhenAny(down, up);
        // During a cut a close does not get through either: the other side keeps its connection until Restore.
        if (_cut) return;
        // One side closed: close the other, as a forwarder does.
        client.Dispose();
        upstream.Dispose();
    }

    /// <summary>Copies while not cut; drops while cut. Ends when <paramref name="from"/> closes or is disposed.</summary>
    private async Task PumpAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReadAsync(buffer, _stop.Token);
                if (read == 0) return;
                if (!_cut) await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException) { }
    }

    private async Task DrainAsync(NetworkStream from)
    {
        var buffer = new byte[4096];
        try { while (await from.ReadAsync(buffer, _stop.Token) > 0) { } }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or SocketException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _accepting; } catch (OperationCanceledException) { }
        Restore();
        _stop.Dispose();
    }
}
