using TrackerDcs.Web.Broker;
using TrackerDcs.Web.Commands;
using TrackerDcs.Web.Security;
using TrackerDcs.Hardware;

namespace TrackerDcs.Tests.Platform;

/// <summary>The broker's rules without a network: frame scanning, topic ACL, command routes, password hashes.</summary>
public sealed class BrokerRulesTests
{
    private static readonly BrokerPrincipal Viewer = new("victor", Role.Viewer, []);
    private static readonly BrokerPrincipal Operator = new("olivia", Role.Operator, []);
    private static readonly BrokerPrincipal Device = new("esp01", Role.Device, ["ESP01/"]);
    private readonly TopicAcl _acl = new(root => root is "dcs" or "julabo");

    [Theory]
    [InlineData("dcs/cmd/switch/lv", true)]
    [InlineData("julabo/cmd", true)]
    [InlineData("dcs/status", false)]
    [InlineData("cmd/dcs", false)]
    [InlineData("dcs/cmdx/a", false)]
    public void Command_topics_are_plus_cmd_hash(string topic, bool isCommand) => Assert.Equal(isCommand, TopicAcl.IsCommand(topic));

    [Theory]
    [InlineData("viewer", "dcs/cmd/switch/lv", "role viewer may not send commands")]
    [InlineData("viewer", "lab/note", "role viewer may not publish")]
    [InlineData("operator", "dcs/cmd/switch/lv", null)]
    [InlineData("operator", "julabo/status", "topics below 'julabo/' are published by TrackerDcs only")]
    [InlineData("operator", "lab/note", null)]
    [InlineData("device", "ESP01/sensors/BME/temp", null)]
    [InlineData("device", "ESP02/sensors/BME/temp", "device may only publish below ESP01/")]
    [InlineData("device", "dcs/cmd/switch/hv", "a device may not send commands")]
    // Not even below its own prefix: a device that speaks MQTT gets its commands from the process, after the checks.
    [InlineData("device", "ESP01/cmd", "a device may not send commands")]
    public void Publish_rules(string who, string topic, string? refusal)
    {
        var principal = who switch { "viewer" => Viewer, "operator" => Operator, _ => Device };
        Assert.Equal(refusal, _acl.CheckPublish(principal, topic));
    }

    [Theory]
    [InlineData("viewer", "ph2acf/cmd/conditions", null)]
    [InlineData("viewer", "ph2acf/cmd/start", "role viewer may not send commands")]
    [InlineData("device", "ph2acf/cmd/conditions", "a device may not send commands")]
    public void A_viewer_publishes_the_commands_that_only_read(string who, string topic, string? refusal)
    {
        var acl = new TopicAcl(root => root is "ph2acf", t => t == "ph2acf/cmd/conditions");
        Assert.Equal(refusal, acl.CheckPublish(who == "viewer" ? Viewer : Device, topic));
    }

    [Theory]
    [InlineData("me", "private/me/#", null)]
    [InlineData("me", "private/you/#", "private topic of another user")]
    [InlineData("me", "private/#", null)]
    [InlineData("me", "#", null)]
    [InlineData("mequal", "private/me/x", "private topic of another user")]
    public void Subscribe_rules(string user, string filter, string? refusal) =>
        Assert.Equal(refusal, TopicAcl.CheckSubscribe(Viewer with { User = user }, filter));

    [Theory]
    [InlineData("viewer", "private/victor/replies", null)]
    [InlineData("viewer", "private/olivia/replies", "private topic of another user")]
    [InlineData("viewer", "lab/replies", "role viewer may not publish")]
    [InlineData("operator", "lab/replies", null)]
    [InlineData("operator", "julabo/status", "topics below 'julabo/' are published by TrackerDcs only")]
    [InlineData("operator", "julabo/cmd/stop", "command topics (+/cmd/#) are not reply topics")]
    [InlineData("operator", "lab/+/replies", "a response topic may not contain wildcards")]
    [InlineData("operator", "$SYS/x", "topics starting with '$' belong to the broker")]
    [InlineData("device", "ESP01/replies", null)]
    [InlineData("device", "ESP02/replies", "device may only subscribe below ESP01/")]
    public void Response_topic_rules(string who, string topic, string? refusal)
    {
        var principal = who switch { "viewer" => Viewer, "operator" => Operator, _ => Device };
        Assert.Equal(refusal, _acl.CheckResponseTopic(principal, topic));
    }

    [Fact]
    public void Deliveries_of_private_topics_go_to_their_owner_only()
    {
        Assert.False(TopicAcl.IsPrivateOfAnother("private/me/inbox", "me"));
        Assert.True(TopicAcl.IsPrivateOfAnother("private/me/inbox", "you"));
        Assert.True(TopicAcl.IsPrivateOfAnother("private/meow/inbox", "me"));
        Assert.False(TopicAcl.IsPrivateOfAnother("lab/private/me", "you"));
    }

    [Fact]
    public void The_scanner_follows_frames_split_anywhere_and_refuses_oversize()
    {
        // An MQTT 3.1.1 CONNECT header (remaining 10), a QoS 0 PUBLISH to "a/b" with remaining length 200 (a 2-byte
        // varint), then an oversized PUBLISH. The frames must be valid as far as the scanner reads them: it checks
        // CONNECT's protocol level and every PUBLISH topic too.
        byte[] stream = [0x10, 0x0A, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C,
            0x30, 0xC8, 0x01, 0x00, 0x03, (byte)'a', (byte)'/', (byte)'b', .. new byte[195], 0x30, 0xFF, 0x7F];
        var random = new Random(12345); // printed seed: splits are reproducible
        for (var trial = 0; trial < 50; trial++)
        {
            var scanner = new MqttFrameScanner(maxPacketSize: 1000);
            string? verdict = null;
            var offset = 0;
            while (offset < stream.Length && verdict is null)
            {
                var take = Math.Min(random.Next(1, 8), stream.Length - offset);
                verdict = scanner.Feed(stream.AsSpan(offset, take));
                offset += take;
            }
            Assert.Equal("packet of 16386 bytes exceeds Broker:MaxPacketSize (1000)", verdict);
        }
    }

    [Fact]
    public void The_scanner_refuses_a_first_packet_that_is_not_connect_and_overlong_lengths()
    {
        Assert.Equal("first packet is not CONNECT (0x30)", new MqttFrameScanner(100).Feed([0x30, 0x00]));
        Assert.Equal("malformed remaining length", new MqttFrameScanner(int.MaxValue).Feed([0x10, 0x80, 0x80, 0x80, 0x80, 0x01]));
        Assert.Null(new MqttFrameScanner(100).Feed([0x10, 0x00, 0xC0, 0x00, 0xE0, 0x00])); // CONNECT, PINGREQ, DISCONNECT
    }

    public static TheoryData<byte[], string?> PublishTopics => new()
    {
        { "lab/temp"u8.ToArray(), null },
        { "lab/Kälte/µ"u8.ToArray(), null },                           // multi-byte UTF-8 is a topic like any other
        { [(byte)'a', 0xC3, 0x28], "PUBLISH topic is not valid UTF-8" },  // a lead byte without its continuation
        { [(byte)'a', 0xC0, 0xAF], "PUBLISH topic is not valid UTF-8" },  // overlong '/'
        { [(byte)'a', 0xED, 0xA0, 0x80], "PUBLISH topic is not valid UTF-8" }, // an encoded surrogate
        { [(byte)'a', 0x00, (byte)'b'], "PUBLISH topic contains U+0000" },
        { "lab/+/t"u8.ToArray(), "PUBLISH to the wildcard topic 'lab/+/t'" },
        { "lab/#"u8.ToArray(), "PUBLISH to the wildcard topic 'lab/#'" },
    };

    [Theory]
    [MemberData(nameof(PublishTopics))]
    public void The_scanner_judges_a_publish_topic_from_its_bytes(byte[] topic, string? verdict)
    {
        // MQTT 3.1.1 CONNECT (protocol "MQTT", level 4), then a QoS 0 PUBLISH of that topic with a one-byte payload.
        byte[] connect = [0x10, 0x0C, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x00];
        byte[] publish = [0x30, (byte)(2 + topic.Length + 1), 0x00, (byte)topic.Length, .. topic, 0x2A];
        var scanner = new MqttFrameScanner(1000);
        Assert.Null(scanner.Feed(connect));
        Assert.Equal(verdict, scanner.Feed(publish));
    }

    [Fact]
    public void Routes_match_single_level_wildcards()
    {
        var route = new CommandRoute("dcs/cmd/setv/+/+", Role.Operator, (_, _) => Task.FromResult(CommandResult.Success()));
        Assert.True(route.Matches("dcs/cmd/setv/hv/3"));
        Assert.False(route.Matches("dcs/cmd/setv/hv"));
        Assert.False(route.Matches("dcs/cmd/setv/hv/3/x"));
        Assert.Equal("3", CommandRoute.Level("dcs/cmd/setv/hv/3", 4));
    }

    [Fact]
    public void Password_hashes_are_salted_and_verify()
    {
        var a = PasswordHasher.Hash("correct horse", iterations: 1000);
        var b = PasswordHasher.Hash("correct horse", iterations: 1000);
        Assert.NotEqual(a, b);
        Assert.True(PasswordHasher.Verify("correct horse", a));
        Assert.False(PasswordHasher.Verify("correct hors", a));
        Assert.False(PasswordHasher.Verify("correct horse", "md5$whatever"));
    }
}
