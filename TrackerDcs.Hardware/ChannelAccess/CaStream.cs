using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;

namespace TrackerDcs.Hardware.ChannelAccess;

/// <summary>
/// Moves CA messages over one connected TCP socket, for either end of a virtual circuit: messages to
/// send wait in one queue drained by a single writer (several messages per send), and received bytes
/// go to the circuit's state as they come, in pieces of any size (it frames them). Sending never blocks the caller.
/// </summary>
internal sealed class CaStream
{
    private const int BatchBytes = 64 * 1024;
    private readonly Channel<CaMessage> _outgoing = Channel.CreateUnbounded<CaMessage>(new() { SingleReader = true });
    private readonly Socket _socket;
    private Task _writer = Task.CompletedTask;
    private long _queuedBytes;

    /// <summary>Keep-alive is on, so a peer whose host vanished without closing is noticed by the system too.</summary>
    public CaStream(Socket socket)
    {
        _socket = socket;
        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
    }

    /// <summary>A peer that lets this many bytes pile up is not reading: the circuit is closed rather than memory filled.</summary>
    public const long MaxQueuedBytes = 16 * 1024 * 1024;

    /// <summary>Queues a message; false once the stream is closing, or when the peer stopped reading (the socket is then closed).</summary>
    public bool Send(CaMessage message)
    {
        if (Interlocked.Add(ref _queuedBytes, message.EncodedLength) <= MaxQueuedBytes) return _outgoing.Writer.TryWrite(message);
        if (_outgoing.Writer.TryComplete())
        {
            Overflowed = true;
            _socket.Dispose();
        }
        return false;
    }

    /// <summary>The stream was closed because the peer stopped reading.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Sends queued messages and hands what is received to <paramref name="received"/> until the peer closes.</summary>
    /// <exception cref="CaProtocolException">The peer sent something that is not CA (thrown by <paramref name="received"/>).</exception>
    public async Task RunAsync(ReceivedBytes received, CancellationToken token)
    {
        _writer = WriteLoop();
        var buffer = new byte[BatchBytes];
        while (true)
        {
            var read = await _socket.ReceiveAsync(buffer, SocketFlags.None, token);
            if (read == 0) return;
            received(buffer.AsSpan(0, read));
        }
    }

    /// <summary>Sends what is queued (waiting at most <paramref name="flushTimeout"/>), then closes the socket.</summary>
    public async Task CloseAsync(TimeSpan flushTimeout)
    {
        _outgoing.Writer.TryComplete();
        await _writer.WaitAsync(flushTimeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
    }

    private async Task WriteLoop()
    {
        var batch = new ArrayBufferWriter<byte>(16 * 1024);
        try
        {
            while (await _outgoing.Reader.WaitToReadAsync())
            {
                batch.ResetWrittenCount();
                while (batch.WrittenCount < BatchBytes && _outgoing.Reader.TryRead(out var message))
                {
                    Interlocked.Add(ref _queuedBytes, -message.EncodedLength);
                    batch.Advance(message.WriteTo(batch.GetSpan(message.EncodedLength)));
                }
                await _socket.SendAsync(batch.WrittenMemory, SocketFlags.None);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            _outgoing.Writer.TryComplete();
        }
    }
}

/// <summary>Bytes just read from a circuit; valid only during the call.</summary>
internal delegate void ReceivedBytes(ReadOnlySpan<byte> data);
