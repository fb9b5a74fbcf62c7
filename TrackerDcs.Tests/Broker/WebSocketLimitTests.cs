using System.Net.WebSockets;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Broker;

/// <summary>MQTT over WebSocket passes the same packet-size guard as TCP and TLS (issue 15, finding 5).</summary>
[Collection("BrokerLimits")]
public sealed class WebSocketLimitTests(BrokerLimitsFixture fixture)
{
    private StandProcess Stand => fixture.Stand;

    [Fact]
    public async Task A_connect_declaring_256_MiB_over_wss_is_closed_before_its_body_is_sent()
    {
        using var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol("mqtt");
        socket.Options.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        await socket.ConnectAsync(new Uri($"wss://localhost:{Stand.HttpsPort}/mqtt"), CancellationToken.None);

        // MQTT 3.1.1 §2.2.3: 0xFF 0xFF 0xFF 0x7F is the largest remaining length, 268,435,455 bytes; then the
        // start of the CONNECT's variable header (§3.1.2.1), and nothing more.
        byte[] head = [0x10, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04];
        await socket.SendAsync(head, WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

        // Broker:CommunicationTimeout is 2 minutes and ConnectTimeout 20 s here: a close within 15 s is the size guard's.
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            var result = await socket.ReceiveAsync(new byte[64], wait.Token);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException("the WebSocket stayed open after a CONNECT declaring 256 MiB: the server waits for its body");
        }
        catch (WebSocketException)
        {
            // Closed without a close frame: closed all the same.
        }
        Assert.Contains("exceeds Broker:MaxPacketSize", Stand.Log);
    }
}
