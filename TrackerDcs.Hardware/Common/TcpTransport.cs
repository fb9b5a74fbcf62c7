using System.Net.Sockets;

namespace TrackerDcs.Hardware.Common;

/// <summary>An instrument behind a TCP serial bridge (ser2net, nc on the DAQ PC), or a simulator's TCP port.</summary>
public sealed class TcpTransport(string host, int port) : ITransport
{
    private TcpClient? _client;
    private NetworkStream? _stream;

    public string Description { get; } = $"tcp {host}:{port}";

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(host, port, cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        _client = client;
        _stream = client.GetStream();
    }

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Stream.WriteAsync(data, cancellationToken);

    public ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken) =>
        Stream.ReadAsync(buffer, cancellationToken);

    /// <summary>A socket has no driver buffer to flush; bytes already read are dropped by the link's framer.</summary>
    public void DiscardInput() { }

    public ValueTask DisposeAsync()
    {
        _client?.Dispose();
        return ValueTask.CompletedTask;
    }

    private NetworkStream Stream => _stream ?? throw new InvalidOperationException($"{Description} is not open");
}
