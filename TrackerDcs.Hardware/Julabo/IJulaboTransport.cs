namespace TrackerDcs.Hardware.Julabo;

/// <summary>
/// A byte pipe to a Julabo unit: a serial port or a TCP serial bridge. One instance is one attempt:
/// after a failure it is disposed and a new one is made, so no transport has to know how to reopen.
/// Failures surface as exceptions; <see cref="JulaboConnection"/> turns them into
/// <see cref="JulaboTransportException"/>.
/// </summary>
public interface IJulaboTransport : IAsyncDisposable
{
    /// <summary>What the link is, for messages ("serial /dev/ttyUSB0 4800 7E1", "tcp 10.0.0.5:8000").</summary>
    string Description { get; }

    Task OpenAsync(CancellationToken cancellationToken);

    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Waits for at least one byte; 0 means the peer closed the link.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);

    /// <summary>Drops whatever the driver has received but not yet delivered (resynchronisation).</summary>
    void DiscardInput();
}
