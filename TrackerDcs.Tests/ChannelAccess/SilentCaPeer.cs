using System.Net;
using System.Net.Sockets;
using TrackerDcs.Hardware.ChannelAccess;

namespace TrackerDcs.Tests.ChannelAccess;

/// <summary>
/// A hand-written fake, the last resort: a CA name server and server that answers SEARCH, VERSION and
/// CREATE_CHAN over TCP and then never answers an ECHO, like an IOC that hangs without closing its
/// sockets. No real peer can be made to hang on cue.
/// </summary>
public sealed class SilentCaPeer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private int _echoes;

    public SilentCaPeer()
    {
        _listener.Start();
        _accepting = AcceptLoop();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public int EchoesReceived => Volatile.Read(ref _echoes);

    private async Task AcceptLoop()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_sockets) _sockets.Add(socket);
                _ = Serve(socket);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private async Task Serve(Socket socket)
    {
        var reader = new CaMessageReader();
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token) is var read and > 0)
            {
                reader.Append(buffer.AsSpan(0, read));
                while (reader.TryRead(out var m))
                {
                    CaMessage[] replies = m.Command switch
                    {
                        CaCommand.Version => [CaMessage.Version()],
                        CaCommand.Search => [CaMessage.SearchReply((ushort)Port, CaMessage.SenderAddress, m.Header.Parameter1)],
                        CaCommand.CreateChan => [CaMessage.AccessRights(m.Header.Parameter1, CaAccessRights.Read),
                            CaMessage.CreateChannelReply(CaType.Double, 1, m.Header.Parameter1, 1)],
                        _ => [],
                    };
                    if (m.Command == CaCommand.Echo) Interlocked.Increment(ref _echoes);
                    foreach (var reply in replies) await socket.SendAsync(reply.ToBytes(), SocketFlags.None);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_sockets) _sockets.ForEach(s => s.Dispose());
        await _accepting;
        _stop.Dispose();
    }
}
