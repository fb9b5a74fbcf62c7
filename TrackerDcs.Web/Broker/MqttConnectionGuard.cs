using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using TrackerDcs.Web.Common;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Connection middleware in front of MQTT on every transport (plain TCP, TLS, and WebSocket through
/// <see cref="GuardedMqttConnectionHandler"/>):
/// <list type="bullet">
/// <item>closes a connection whose next packet would exceed the size limit, before MQTTnet buffers it, or that
/// breaks the protocol (<see cref="MqttFrameScanner"/>). MQTT 5 §4.13.1: on a Malformed Packet or Protocol Error
/// the server may send a DISCONNECT with the reason code before closing; MQTT 3.1.1 §4.8: it just closes. The
/// DISCONNECT is written once MQTTnet has let go of the connection, so it never interleaves with its writes;</item>
/// <item>counts connections against Broker:MaxConnections; when the limit is reached, a new connection takes the
/// slot of the oldest one that has not logged in (no accepting CONNACK yet), so idle sockets cannot hold every
/// slot; only when all are logged in is the new one refused;</item>
/// <item>closes a connection whose CONNECT has not arrived within Broker:ConnectTimeout;</item>
/// <item>limits how fast one address may open connections (Broker:ConnectionsPerAddressPerSecond, with a burst of
/// Broker:ConnectionBurstPerAddress).</item>
/// </list>
/// </summary>
public sealed class MqttConnectionGuard(BrokerOptions options, TimeProvider time, ILogger<MqttConnectionGuard> log)
{
    private sealed class Tracked(ConnectionContext connection, long order)
    {
        public ConnectionContext Connection { get; } = connection;
        public long Order { get; } = order;
        public volatile bool LoggedIn;
        public bool Evicted; // under _gate
    }

    private readonly Lock _gate = new();
    private readonly Dictionary<long, Tracked> _live = [];
    private readonly Dictionary<IPAddress, TokenBucket> _rates = [];
    private long _order;
    private int _admitted; // live connections not evicted
    private bool _fullLogged;

    public int Connections { get { lock (_gate) return _admitted; } }
    public int NotLoggedIn { get { lock (_gate) return _live.Values.Count(t => !t.LoggedIn && !t.Evicted); } }

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        var remote = connection.RemoteEndPoint;
        if (!RateAllows(remote))
        {
            connection.Abort();
            return;
        }
        var tracked = Admit(connection);
        if (tracked is null)
        {
            connection.Abort();
            return;
        }
        var transport = connection.Transport;
        var scanner = new MqttFrameScanner(options.MaxPacketSize);
        // MQTTnet's own timeout (CommunicationTimeout) starts only once it reads; this one bounds a silent socket.
        using var deadline = new CancellationTokenSource(options.ConnectTimeout, time);
        using var _ = deadline.Token.Register(() =>
        {
            if (scanner.ConnectReceived) return;
            log.LogInformation("MQTT connection from {Remote} closed: no CONNECT within Broker:ConnectTimeout ({Timeout})", remote, options.ConnectTimeout);
            connection.Abort(new ConnectionAbortedException("no CONNECT in time"));
        });
        try
        {
            var violated = false;
            var reader = new GuardedReader(transport.Input, scanner, reason =>
            {
                violated = true;
                log.LogWarning("MQTT connection from {Remote} closed: {Reason}", remote, reason);
            });
            connection.Transport = new GuardedPipe(reader, new HeldWriter(transport.Output, () => tracked.LoggedIn = true));
            await next(connection);
            if (violated && scanner.ProtocolLevel == 5)
                await transport.Output.WriteAsync(new byte[] { 0xE0, 0x01, scanner.ReasonCode });
        }
        catch (Exception e) when (e is IOException or ConnectionAbortedException or InvalidOperationException or OperationCanceledException)
        {
            // The peer is gone already, or it was closed here: nothing left to tell it.
        }
        finally
        {
            await transport.Output.CompleteAsync();
            Release(tracked);
        }
    };

    private bool RateAllows(EndPoint? remote)
    {
        if (remote is not IPEndPoint ip) return true;
        var address = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        bool allowed, emptiedNow;
        lock (_gate)
        {
            if (_rates.Count > 10_000)
                foreach (var (key, bucket) in _rates.Where(kv => kv.Value.IsFull).ToList()) _rates.Remove(key);
            if (!_rates.TryGetValue(address, out var rate))
                _rates[address] = rate = new TokenBucket(options.ConnectionBurstPerAddress, options.ConnectionsPerAddressPerSecond, time);
            allowed = rate.TryTake(out emptiedNow);
        }
        if (emptiedNow)
            log.LogWarning("MQTT connections from {Address} refused for a while: more than Broker:ConnectionsPerAddressPerSecond ({Rate}) after a burst of {Burst}",
                address, options.ConnectionsPerAddressPerSecond, options.ConnectionBurstPerAddress);
        return allowed;
    }

    private Tracked? Admit(ConnectionContext connection)
    {
        Tracked? victim = null;
        Tracked tracked;
        lock (_gate)
        {
            if (_admitted >= options.MaxConnections)
            {
                victim = _live.Values.Where(t => !t.LoggedIn && !t.Evicted).MinBy(t => t.Order);
                if (victim is null)
                {
                    if (!_fullLogged)
                        log.LogWarning("MQTT connection from {Remote} refused: Broker:MaxConnections ({Max}) reached, every connection logged in", connection.RemoteEndPoint, options.MaxConnections);
                    _fullLogged = true;
                    return null;
                }
                victim.Evicted = true;
                _admitted--;
            }
            else _fullLogged = false;
            _admitted++;
            tracked = new Tracked(connection, ++_order);
            _live[tracked.Order] = tracked;
        }
        if (victim is not null)
        {
            log.LogInformation("MQTT connection from {Remote} closed to make room: not logged in while Broker:MaxConnections ({Max}) is reached",
                victim.Connection.RemoteEndPoint, options.MaxConnections);
            victim.Connection.Abort(new ConnectionAbortedException("closed to make room for a new connection"));
        }
        return tracked;
    }

    private void Release(Tracked tracked)
    {
        lock (_gate)
        {
            _live.Remove(tracked.Order);
            if (!tracked.Evicted) _admitted--;
        }
    }

    private sealed class GuardedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    /// <summary>
    /// Passes writes through but keeps the connection's output open when MQTTnet completes it. Watches the first
    /// packet MQTTnet writes, the CONNACK (MQTT 3.1.1 §3.2 / MQTT 5 §3.2: 0x20, remaining length, flags, then the
    /// return or reason code, 0 when accepted), to learn that the client has logged in.
    /// </summary>
    private sealed class HeldWriter(PipeWriter inner, Action loggedIn) : PipeWriter
    {
        private readonly byte[] _head = new byte[4];
        private int _seen;
        private Memory<byte> _last;

        public override void Advance(int bytes)
        {
            if (_seen < _head.Length && bytes > 0)
            {
                var n = Math.Min(_head.Length - _seen, bytes);
                _last.Span[..n].CopyTo(_head.AsSpan(_seen));
                _seen += n;
                if (_seen == _head.Length && _head[0] == 0x20 && _head[3] == 0) loggedIn();
            }
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => (_last = inner.GetMemory(sizeHint)).Span;
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) { }
        public override ValueTask CompleteAsync(Exception? exception = null) => ValueTask.CompletedTask;
    }

    /// <summary>Passes reads through, showing every byte once to the scanner.</summary>
    private sealed class GuardedReader(PipeReader inner, MqttFrameScanner scanner, Action<string> violated) : PipeReader
    {
        private long _scannedFromStart; // bytes of the current buffer already scanned
        private ReadOnlySequence<byte> _last;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.ReadAsync(cancellationToken);
            Scan(result.Buffer);
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result)) return false;
            Scan(result.Buffer);
            return true;
        }

        private void Scan(ReadOnlySequence<byte> buffer)
        {
            _last = buffer;
            foreach (var segment in buffer.Slice(_scannedFromStart))
            {
                if (scanner.Feed(segment.Span) is { } reason)
                {
                    violated(reason);
                    throw new ConnectionAbortedException(reason);
                }
            }
            _scannedFromStart = buffer.Length;
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            _scannedFromStart -= _last.Slice(0, consumed).Length;
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
    }
}
