using System.Text;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Broker;

/// <summary>
/// Packets the MQTT specifications call errors close the connection instead of being acknowledged; MQTT 5
/// clients learn why from the DISCONNECT reason code. Control characters never reach the log as-is.
/// </summary>
[Collection("Stand")]
public sealed class ProtocolStrictnessTests(StandFixture fixture)
{
    private StandProcess Stand => fixture.Stand;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    public static TheoryData<string, byte[], ushort, int> Violations => new()
    {
        // MQTT 5 §3.3.2.1 [MQTT-3.3.2-2]: no wildcards in a topic name → 0x90 Topic Name invalid.
        { "wildcard +", "lab/+/x"u8.ToArray(), 1, 0x90 },
        { "wildcard #", "lab/#"u8.ToArray(), 1, 0x90 },
        // §3.3.2.3.4: a zero-length topic name without a topic alias is a Protocol Error (0x82).
        { "empty", [], 1, 0x82 },
        // §1.5.4 [MQTT-1.5.4-1], [MQTT-1.5.4-2]: ill-formed UTF-8 or U+0000 make a Malformed Packet (0x81).
        { "NUL", "lab/\0x"u8.ToArray(), 1, 0x81 },
        { "invalid UTF-8", [(byte)'l', (byte)'a', (byte)'b', (byte)'/', 0xC3, 0x28], 1, 0x81 },
        // §2.2.1 [MQTT-2.2.1-3]: a QoS 1 or 2 PUBLISH carries a non-zero packet identifier → 0x82.
        { "packet id 0", "lab/fine"u8.ToArray(), 0, 0x82 },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task An_invalid_publish_closes_an_mqtt311_connection_unacknowledged(string what, byte[] topic, ushort packetId, int _)
    {
        var (client, connack) = await RawMqttClient.ConnectAsync(Stand.MqttPort, 4, "olivia", StandFixture.OperatorPassword);
        await using var __ = client;
        Assert.Equal(0, connack);
        await client.PublishAsync(topic, qos: 1, packetId, "x");
        var before = await client.ReadUntilClosedAsync(Wait);
        Assert.True(before.Count == 0, $"{what}: the server answered with packet type {before.FirstOrDefault()?.Type} instead of closing");
    }

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task An_invalid_publish_closes_an_mqtt5_connection_with_its_reason_code(string what, byte[] topic, ushort packetId, int reason)
    {
        var (client, connack) = await RawMqttClient.ConnectAsync(Stand.MqttPort, 5, "olivia", StandFixture.OperatorPassword);
        await using var __ = client;
        Assert.Equal(0, connack);
        await client.PublishAsync(topic, qos: 1, packetId, "x");
        var before = await client.ReadUntilClosedAsync(Wait);
        var disconnect = Assert.Single(before);
        Assert.True(disconnect.Type == 14, $"{what}: packet type {disconnect.Type} instead of DISCONNECT");
        Assert.Equal(reason, disconnect.Body[0]);
    }

    [Fact]
    public async Task A_valid_publish_over_the_same_raw_client_is_acknowledged()
    {
        var (client, connack) = await RawMqttClient.ConnectAsync(Stand.MqttPort, 5, "olivia", StandFixture.OperatorPassword);
        await using var _ = client;
        Assert.Equal(0, connack);
        await client.PublishAsync("lab/strict/ok"u8.ToArray(), qos: 1, packetId: 7, "x");
        var puback = await client.ReadPacketAsync(Wait);
        Assert.Equal(4, puback?.Type);
    }

    [Fact]
    public async Task Control_characters_in_topics_and_user_names_are_escaped_in_the_log()
    {
        const string forged = "2026-01-01 FORGED: admin logged in";
        // A newline is a legal (if unwise) topic character; the viewer's publish is refused and logged.
        var (client, connack) = await RawMqttClient.ConnectAsync(Stand.MqttPort, 4, "victor", StandFixture.ViewerPassword);
        await using (client)
        {
            Assert.Equal(0, connack);
            await client.PublishAsync(Encoding.UTF8.GetBytes($"lab/note\n{forged}"), qos: 1, packetId: 3, "x");
            Assert.Equal(4, (await client.ReadPacketAsync(Wait))?.Type);
        }
        var (ghost, refused) = await RawMqttClient.ConnectAsync(Stand.MqttPort, 4, $"ghost\r\n{forged}", "wrong-password", clientId: $"id\u001b[31m");
        await ghost.DisposeAsync();
        Assert.Equal(5, refused);

        await Eventually.True(() => Stand.Log.Contains("lab/note\\n2026-01-01 FORGED") && Stand.Log.Contains("ghost\\r\\n2026-01-01 FORGED"),
            "both escaped lines in the log");
        Assert.Contains("id\\u001B[31m", Stand.Log);
        Assert.DoesNotContain(Stand.Log.Split('\n'), line => line.TrimStart().StartsWith(forged, StringComparison.Ordinal));
    }
}
