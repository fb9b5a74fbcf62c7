using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace TrackerDcs.Web.Broker;

/// <summary>
/// Kestrel connection middleware in front of MQTT (plain and TLS): limits the number of MQTT connections
/// and closes a connection whose next packet would exceed the size limit, before MQTTnet buffers it.
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
        try
        {
            var transport = connection.Transport;
            var reader = new GuardedReader(transport.Input, new MqttFrameScanner(options.MaxPacketSize), reason =>
            {
                log.LogWarning("MQTT connection from {Remote} closed: {Reason}", connection.RemoteEndPoint, reason);
                connection.Abort(new ConnectionAbortedException(reason));
            });
            connection.Transport = new GuardedPipe(reader, transport.Output);
            await next(connection);
        }
        finally
        {
            Interlocked.Decrement(ref _connections);
        }
    };

    private sealed class GuardedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
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
