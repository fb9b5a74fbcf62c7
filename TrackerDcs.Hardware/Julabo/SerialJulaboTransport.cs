using System.IO.Ports;

namespace TrackerDcs.Hardware.Julabo;

/// <summary>A Julabo unit on an RS-232 port (or a pseudo terminal), through System.IO.Ports.</summary>
public sealed class SerialJulaboTransport(
    string portName, int baudRate = 4800, int dataBits = 7, Parity parity = Parity.Even,
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

    public ValueTask DisposeAsync()
    {
        // Closing can throw when the device has vanished (USB adapter pulled); there is nothing left to release then.
        try { _port?.Dispose(); }
        catch (IOException) { }
        return ValueTask.CompletedTask;
    }

    private Stream Stream => _port?.BaseStream ?? throw new InvalidOperationException($"{Description} is not open");
}
