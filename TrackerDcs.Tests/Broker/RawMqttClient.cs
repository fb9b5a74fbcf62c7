using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace TrackerDcs.Tests.Broker;

/// <summary>
/// An MQTT client on a bare socket, for what real clients refuse to send (wildcard or invalid UTF-8 topics,
/// packet id 0), and for reading every packet a server sent before it closed (a library client may drop those it had
/// not handed on yet). Packets are built by hand after MQTT 3.1.1 §3 and MQTT 5 §3; only what the tests need.
/// </summary>
public sealed class RawMqttClient : IAsyncDisposable
{
    private TcpClient? _tcp;
    private Stream _stream = null!;
    /// <summary>Packets read while waiting for an acknowledgement, not yet handed on.</summary>
    private readonly List<Packet> _early = [];

    public int ProtocolLevel { get; private set; }

    /// <summary>
    /// Connects and sends CONNECT (clean session, user and password); returns the CONNACK return/reason code.
    /// <paramref name="from"/>: a loopback address other than 127.0.0.1 to connect from (all of 127/8 is local),
    /// to stand for another host; <paramref name="connAckWait"/>: how long to wait for the CONNACK.
    /// </summary>
    public static async Task<(RawMqttClient Client, int ConnAck)> ConnectAsync(int port, int protocolLevel, string user, string password,
        string clientId = "", System.Net.IPAddress? from = null, TimeSpan? connAckWait = null)
    {
        var client = new RawMqttClient { ProtocolLevel = protocolLevel };
        client._tcp = from is null ? new TcpClient() : new TcpClient(new System.Net.IPEndPoint(from, 0));
        await client._tcp.ConnectAsync("127.0.0.1", port);
        client._stream = client._tcp.GetStream();
        return (client, await client.LoginAsync(user, password, clientId, connAckWait));
    }

    /// <summary>Over MQTT's WebSocket (subprotocol "mqtt"), trusting any server certificate; as <see cref="ConnectAsync"/>.</summary>
    public static async Task<(RawMqttClient Client, int ConnAck)> ConnectWebSocketAsync(Uri uri, int protocolLevel, string user, string password)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mqtt");
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        await socket.ConnectAsync(uri, CancellationToken.None);
        var client = new RawMqttClient { ProtocolLevel = protocolLevel, _stream = WebSocketStream.Create(socket, WebSocketMessageType.Binary, ownsWebSocket: true) };
        return (client, await client.LoginAsync(user, password, "", null));
    }

    private async Task<int> LoginAsync(string user, string password, string clientId, TimeSpan? connAckWait)
    {
        var protocolLevel = ProtocolLevel;
        var body = new List<byte>();
        body.AddRange(String("MQTT"));
        body.Add((byte)protocolLevel);
        body.Add(0xC2); // user name, password, clean session
        body.AddRange([0, 60]); // keep alive
        if (protocolLevel == 5) body.Add(0); // no properties
        body.AddRange(String(clientId));
        body.AddRange(String(user));
        body.AddRange(String(password));
        await SendAsync(0x10, body);
        var connack = await ReadPacketAsync(connAckWait ?? TimeSpan.FromSeconds(15))
            ?? throw new InvalidOperationException("no CONNACK");
        return connack.Body[1];
    }

    /// <summary>
    /// Subscribes at QoS 0 and waits for the SUBACK. A retained message may come before it (MQTTnet sends its control
    /// and data packets in turns): what came first is kept, and <see cref="ReadUntilClosedAsync"/> returns it too.
    /// </summary>
    public async Task SubscribeAsync(string filter)
    {
        var body = new List<byte> { 0, 1 };
        if (ProtocolLevel == 5) body.Add(0);
        body.AddRange(String(filter));
        body.Add(0);
        await SendAsync(0x82, body);
        while (await ReadPacketAsync(TimeSpan.FromSeconds(15)) is { } packet)
        {
            if (packet.Type == 9) return;
            _early.Add(packet);
        }
        throw new InvalidOperationException("no SUBACK");
    }

    /// <summary>A PUBLISH packet's payload (QoS 0, MQTT 3.1.1) as text.</summary>
    public static string Payload(Packet publish)
    {
        var topicLength = (publish.Body[0] << 8) | publish.Body[1];
        return Encoding.UTF8.GetString(publish.Body, 2 + topicLength, publish.Body.Length - 2 - topicLength);
    }

    /// <summary>A PUBLISH whose topic is given as raw bytes (they may be anything).</summary>
    public Task PublishAsync(byte[] topic, int qos, ushort packetId, string payload)
    {
        var body = new List<byte> { (byte)(topic.Length >> 8), (byte)topic.Length };
        body.AddRange(topic);
        if (qos > 0) body.AddRange([(byte)(packetId >> 8), (byte)packetId]);
        if (ProtocolLevel == 5) body.Add(0);
        body.AddRange(Encoding.UTF8.GetBytes(payload));
        return SendAsync((byte)(0x30 | (qos << 1)), body);
    }

    public sealed record Packet(byte Header, byte[] Body)
    {
        public int Type => Header >> 4;
    }

    /// <summary>The next packet, or null when the server closed the connection; throws TimeoutException if neither happens in time.</summary>
    public async Task<Packet?> ReadPacketAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var header = new byte[1];
            if (!await ReadExactlyAsync(header, cts.Token)) return null;
            int length = 0, multiplier = 1;
            var b = new byte[1];
            do
            {
                if (!await ReadExactlyAsync(b, cts.Token)) return null;
                length += (b[0] & 0x7F) * multiplier;
                multiplier *= 128;
            } while ((b[0] & 0x80) != 0);
            var body = new byte[length];
            if (!await ReadExactlyAsync(body, cts.Token)) return null;
            return new Packet(header[0], body);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"neither a packet nor the end of the connection within {timeout.TotalSeconds} s");
        }
    }

    /// <summary>Reads until the server closes the connection: the packets it sent before closing.</summary>
    public async Task<List<Packet>> ReadUntilClosedAsync(TimeSpan timeout)
    {
        var packets = new List<Packet>(_early);
        _early.Clear();
        var deadline = DateTime.UtcNow + timeout;
        while (await ReadPacketAsync(deadline - DateTime.UtcNow) is { } packet) packets.Add(packet);
        return packets;
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken ct)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer, ct);
            return true;
        }
        catch (Exception e) when (e is EndOfStreamException or IOException or WebSocketException)
        {
            return false;
        }
    }

    private async Task SendAsync(byte header, List<byte> body)
    {
        var packet = new List<byte> { header };
        var length = body.Count;
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            packet.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        } while (length > 0);
        packet.AddRange(body);
        await _stream.WriteAsync(packet.ToArray());
    }

    private static byte[] String(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        return [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
    }

    public async ValueTask DisposeAsync()
    {
        if (_tcp is null) await _stream.DisposeAsync();
        else _tcp.Dispose();
    }
}
