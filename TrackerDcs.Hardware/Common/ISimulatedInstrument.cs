namespace TrackerDcs.Hardware.Common;

/// <summary>A simulated instrument as its hosts see it: something that answers on a byte stream, and a cable that can be pulled.</summary>
internal interface ISimulatedInstrument
{
    /// <summary>While true, nothing is answered and TCP clients are dropped.</summary>
    bool Unplugged { get; }

    /// <summary>Serves one byte stream (a TCP client, an opened serial port) until it ends, fails or is cancelled.</summary>
    Task ServeAsync(Func<Memory<byte>, CancellationToken, ValueTask<int>> read,
        Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write, CancellationToken cancellationToken);
}
