using System.Text.Json;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Platform;

/// <summary>The embedded broker as Mosquitto's own clients see it.</summary>
[Collection("Stand")]
public sealed class BrokerTests(StandFixture fixture)
{
    private StandProcess Stand => fixture.Stand;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("0", "mqttv311")]
    [InlineData("1", "mqttv311")]
    [InlineData("2", "mqttv311")]
    [InlineData("0", "mqttv5")]
    [InlineData("1", "mqttv5")]
    [InlineData("2", "mqttv5")]
    public async Task Messages_of_every_qos_reach_a_subscriber(string qos, string version)
    {
        var topic = $"lab/qos{qos}/{version}";
        await using var sub = await MosquittoSubscriber.StartAsync(Stand.MqttPort, fixture.Viewer, [topic], "-q", qos, "-V", version);
        var pub = await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-V", version, "-q", qos, "-t", topic, "-m", $"payload {qos}"]);
        Assert.Equal(0, pub.ExitCode);
        Assert.Equal($"payload {qos}", await sub.NextOnAsync(topic, Wait));
    }

    [Fact]
    public async Task Tls_listener_is_verified_with_the_generated_certificate()
    {
        var topic = "lab/tls";
        var sub = Mosquitto.SubAsync(Stand.MqttTlsPort, [.. fixture.Viewer, "--cafile", Stand.CertificatePem, "-t", topic, "-C", "1", "-W", "15"]);
        await Task.Delay(1000);
        var pub = await Mosquitto.PubAsync(Stand.MqttTlsPort, [.. fixture.Operator, "--cafile", Stand.CertificatePem, "-q", "1", "-t", topic, "-m", "over tls"]);
        Assert.True(pub.ExitCode == 0, pub.ToString());
        var received = await sub;
        Assert.True(received.ExitCode == 0, received.ToString());
        Assert.Equal("over tls", received.Stdout.Trim());
    }

    [Fact]
    public async Task Readyz_answers_over_verified_tls()
    {
        // Just after the start a driver may still be reaching its device (503 until then).
        await Stand.WaitReadyAsync();
        var curl = await ProcessRunner.RunAsync("curl", ["-sS", "--fail", "--cacert", Stand.CertificatePem, "-u", $"admin:{StandProcess.AdminPassword}", $"https://localhost:{Stand.HttpsPort}/readyz"]);
        Assert.True(curl.ExitCode == 0, curl.ToString());
        using var report = JsonDocument.Parse(curl.Stdout);
        Assert.True(report.RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal("running", report.RootElement.GetProperty("components").GetProperty("broker").GetProperty("mqtt").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Plain_http_redirects_to_https()
    {
        var curl = await ProcessRunner.RunAsync("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", $"http://127.0.0.1:{Stand.HttpPort}/readyz"]);
        Assert.Equal($"307 https://127.0.0.1:{Stand.HttpsPort}/readyz", curl.Stdout.Trim());
    }

    [Theory]
    [InlineData("mqttv311", 5)]   // 3.1.1: "not authorised"
    [InlineData("mqttv5", 135)]   // 5: 0x87 Not authorized
    public async Task A_wrong_password_is_refused_as_not_authorized(string version, int code)
    {
        var pub = await Mosquitto.PubAsync(Stand.MqttPort, ["-u", "olivia", "-P", "wrong-password", "-V", version, "-t", "lab/x", "-m", "1"]);
        Assert.Equal(code, pub.ExitCode);
    }

    [Fact]
    public async Task Anonymous_clients_are_refused_by_default()
    {
        var pub = await Mosquitto.PubAsync(Stand.MqttPort, ["-t", "lab/anonymous", "-m", "1"]);
        Assert.Equal(5, pub.ExitCode);
    }

    [Fact]
    public async Task A_viewer_command_is_dropped_an_operator_command_passes_and_both_are_audited()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        await using var sub = await MosquittoSubscriber.StartAsync(Stand.MqttPort, fixture.Viewer, ["dcs/cmd/switch/lv", "dcs/reply"]);

        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Viewer, "-q", "1", "-t", "dcs/cmd/switch/lv", "-m", "viewer-on"]);
        var reply = await sub.NextOnAsync("dcs/reply", Wait);
        Assert.NotNull(reply);
        Assert.Contains("role viewer may not send commands", reply);

        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-q", "1", "-t", "dcs/cmd/switch/lv", "-m", "operator-on"]);
        Assert.Equal("operator-on", await sub.NextOnAsync("dcs/cmd/switch/lv", Wait));

        // The bus audits after the broker has routed the publish: wait for both entries.
        var audit = await AuditAsync(since);
        for (var deadline = DateTime.UtcNow + Wait; audit.Count(e => e.GetProperty("payload").GetString() is "viewer-on" or "operator-on") < 2 && DateTime.UtcNow < deadline; )
        {
            await Task.Delay(100);
            audit = await AuditAsync(since);
        }
        var viewer = Assert.Single(audit, e => e.GetProperty("payload").GetString() == "viewer-on");
        Assert.Equal("victor", viewer.GetProperty("user").GetString());
        Assert.False(viewer.GetProperty("ok").GetBoolean());
        Assert.Contains("may not send commands", viewer.GetProperty("result").GetString());
        var op = Assert.Single(audit, e => e.GetProperty("payload").GetString() == "operator-on");
        Assert.Equal("olivia", op.GetProperty("user").GetString());
        Assert.Equal("mqtt", op.GetProperty("origin").GetString());
        // No CAEN driver answers dcs commands in this stand's test configuration: the result says so.
        Assert.False(string.IsNullOrEmpty(op.GetProperty("result").GetString()));
    }

    [Fact]
    public async Task The_viewers_command_never_reaches_a_subscriber()
    {
        await using var sub = await MosquittoSubscriber.StartAsync(Stand.MqttPort, fixture.Admin, ["julabo/cmd/#"]);
        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Viewer, "-q", "1", "-t", "julabo/cmd/start", "-m", "from-viewer"]);
        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-q", "1", "-t", "julabo/cmd/stop", "-m", "from-operator"]);
        // QoS 1 from one broker to one subscriber keeps order: the operator's arrives, the viewer's never did.
        Assert.Equal("julabo/cmd/stop from-operator", await sub.NextAsync(Wait));
    }

    [Fact]
    public async Task A_device_account_publishes_only_below_its_prefix()
    {
        await using var sub = await MosquittoSubscriber.StartAsync(Stand.MqttPort, fixture.Viewer, ["ESP01/#", "ESP02/#"]);
        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Device, "-q", "1", "-t", "ESP02/sensors/BME/temp", "-m", "99"]);
        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Device, "-q", "1", "-t", "ESP01/sensors/BME/temp", "-m", "21.5"]);
        Assert.Equal("ESP01/sensors/BME/temp 21.5", await sub.NextAsync(Wait));
    }

    [Fact]
    public async Task Only_the_process_publishes_device_status()
    {
        await using var sub = await MosquittoSubscriber.StartAsync(Stand.MqttPort, fixture.Viewer, ["julabo/status", "lab/after"]);
        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-q", "1", "-t", "julabo/status", "-m", "{\"fsm_state\":\"fake\"}"]);
        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-q", "1", "-t", "lab/after", "-m", "1"]);
        // The chiller's own status keeps arriving; the operator's forgery never does.
        var seen = new List<string>();
        for (var line = await sub.NextAsync(Wait); line is not null && line != "lab/after 1"; line = await sub.NextAsync(Wait)) seen.Add(line);
        Assert.DoesNotContain(seen, l => l.Contains("fake"));
        Assert.Contains("topics below 'julabo/' are published by TrackerDcs only", Stand.Log);
    }

    [Fact]
    public async Task Private_topics_of_another_user_are_not_delivered()
    {
        await using var sub = await MosquittoSubscriber.StartAsync(Stand.MqttPort, fixture.Viewer, ["private/#", "lab/after-private"], "-i", "watcher");
        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-i", "someone", "-q", "1", "-t", "private/olivia/secret", "-m", "x"]);
        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-i", "someone", "-q", "1", "-t", "private/victor/note", "-m", "for the watcher"]);
        Assert.Equal("private/victor/note for the watcher", await sub.NextAsync(Wait));
    }

    [Fact]
    public async Task A_command_reply_goes_to_the_mqtt5_response_topic_with_its_correlation_data()
    {
        var responseTopic = "private/olivia/replies";
        var sub = Mosquitto.SubAsync(Stand.MqttPort, [.. fixture.Operator, "-i", "requester", "-V", "mqttv5", "-t", responseTopic, "-C", "1", "-W", "15", "-F", "%t %D %p"]);
        await Task.Delay(1000);
        await Mosquitto.PubAsync(Stand.MqttPort, [.. fixture.Operator, "-V", "mqttv5", "-q", "1", "-t", "julabo/cmd/nonsense", "-m", "{}",
            "-D", "publish", "response-topic", responseTopic, "-D", "publish", "correlation-data", "req-42"]);
        var result = await sub;
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.StartsWith($"{responseTopic} req-42 ", result.Stdout);
        Assert.Contains("\"ok\":false", result.Stdout);
        Assert.Contains("unknown command topic 'julabo/cmd/nonsense'", result.Stdout);
    }

    private async Task<List<JsonElement>> AuditAsync(DateTimeOffset since)
    {
        var curl = await ProcessRunner.RunAsync("curl", ["-sS", "--fail", "--cacert", Stand.CertificatePem, "-u", $"victor:{StandFixture.ViewerPassword}",
            $"https://localhost:{Stand.HttpsPort}/api/audit?from={Uri.EscapeDataString(since.ToString("O"))}"]);
        Assert.True(curl.ExitCode == 0, curl.ToString());
        return JsonDocument.Parse(curl.Stdout).RootElement.EnumerateArray().ToList();
    }
}
