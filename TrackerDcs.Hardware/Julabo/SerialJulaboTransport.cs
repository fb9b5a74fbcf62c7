using System.IO.Ports;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>A Julabo unit on an RS-232 port (or a pseudo terminal), through System.IO.Ports.</summary>
public sealed class SerialJulaboTransport(
    string portName, int baudRate = 9600, int dataBits = 8, Parity parity = Parity.None,
    StopBits stopBits = StopBits.One, Handshake handshake = Handshake.RequestToSend) : IJulaboTransport
{
    private SerialPort? _port;

    public string Description { get; } =
        $"serial {portName} {baudRate} {dataBits}{parity.ToString()[0]}{(stopBits == StopBits.Two ? "2" : "1")} handshake {handshake}";

    public Task OpenAsync(CancellationToken cancellationToken)
    {
        var port = new SerialPort(portName, baudRate, parity, dataBits, stopBits) { Handshake = handshake };
        try
        {
            port.Open();
        }
        catch
        {
            port.Dispose();
            throw;
        }
        _port = port;
        return Task.CompletedTask;
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Stream.WriteAsync(data, cancellationToken);

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        Stream.ReadAsync(buffer, cancellationToken);

    public void DiscardInput()
    {
        if (_port is { IsOpen: true } port) port.DiscardInBuffer();
    }

    /// <summary>
    /// Closing a port whose peer has hung up (a USB adapter pulled, a pty whose socat died) after a
    /// write was attempted can block inside System.IO.Ports for good; such a close is left to finish
    /// in the background rather than hang the reconnect loop. Throwing on close is ignored for the same reason.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (_port is not { } port) return;
        var closing = Task.Run(() =>
        {
            try { port.Dispose(); }
            catch (IOException) { }
        });
        try { await closing.WaitAsync(CloseTimeout); }
        catch (TimeoutException) { }
    }

    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(1);

    private Stream Stream => _port?.BaseStream ?? throw new InvalidOperationException($"{Description} is not open");
}
