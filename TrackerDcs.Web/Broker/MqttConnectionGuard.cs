using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Kestrel connection middleware in front of MQTT (plain and TLS): limits the number of MQTT connections
/// and closes a connection whose next packet would exceed the size limit, before MQTTnet buffers it, or that
/// breaks the protocol (<see cref="MqttFrameScanner"/>). MQTT 5 §4.13.1: on a Malformed Packet or Protocol
/// Error the server may send a DISCONNECT with the reason code before closing; MQTT 3.1.1 §4.8: it just closes.
/// The DISCONNECT is written once MQTTnet has let go of the connection, so it never interleaves with its writes.
/// </summary>
public sealed class MqttConnectionGuard(BrokerOptions options, ILogger<MqttConnectionGuard> log)
{
    private int _connections;

    public int Connections => Volatile.Read(ref _connections);

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        if (Interlocked.Increment(ref _connections) > options.MaxConnections)
        {
            Interlocked.Decrement(ref _connections);
            log.LogWarning("MQTT connection from {Remote} refused: Broker:MaxConnections ({Max}) reached", connection.RemoteEndPoint, options.MaxConnections);
            connection.Abort();
            return;
        }
        var transport = connection.Transport;
        try
        {
            var scanner = new MqttFrameScanner(options.MaxPacketSize);
            var violated = false;
            var reader = new GuardedReader(transport.Input, scanner, reason =>
            {
                violated = true;
                log.LogWarning("MQTT connection from {Remote} closed: {Reason}", connection.RemoteEndPoint, reason);
            });
            connection.Transport = new GuardedPipe(reader, new HeldWriter(transport.Output));
            await next(connection);
            if (violated && scanner.ProtocolLevel == 5)
                await transport.Output.WriteAsync(new byte[] { 0xE0, 0x01, scanner.ReasonCode });
        }
        catch (Exception e) when (e is IOException or ConnectionAbortedException or InvalidOperationException)
        {
            // The peer is gone already: nothing left to tell it.
        }
        finally
        {
            await transport.Output.CompleteAsync();
            Interlocked.Decrement(ref _connections);
        }
    };

    private sealed class GuardedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }

    /// <summary>Passes writes through but keeps the connection's output open when MQTTnet completes it.</summary>
    private sealed class HeldWriter(PipeWriter inner) : PipeWriter
    {
        public override void Advance(int bytes) => inner.Advance(bytes);
        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);
        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
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
