namespace TrackerDcs.Hardware.Common;

/// <summary>
/// A byte pipe to an instrument: a serial port or a TCP serial bridge. One instance is one attempt:
/// after a failure it is disposed and a new one is made, so no transport has to know how to reopen.
/// Failures surface as the exceptions of the port or socket; <see cref="LineLink"/> turns them into
/// <see cref="LinkException"/>.
/// </summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>What the link is, for messages ("serial /dev/ttyUSB0 115200 8N1", "tcp 10.0.0.5:8000").</summary>
    string Description { get; }

    Task OpenAsync(CancellationToken cancellationToken);

    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Waits for at least one byte; 0 means the peer closed the link.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Drops whatever the driver has received but not yet delivered (resynchronisation).</summary>
    void DiscardInput();
}
