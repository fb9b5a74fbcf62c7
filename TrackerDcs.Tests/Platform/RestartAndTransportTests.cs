using System.Security.Cryptography.X509Certificates;
using MQTTnet;
using MQTTnet.Formatter;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Platform;

/// <summary>Stands of their own: restarts, other transports, other settings.</summary>
public sealed class RestartAndTransportTests
{
    private static readonly string[] Admin = Mosquitto.Auth("admin", StandProcess.AdminPassword);

    [Fact]
    public async Task Retained_messages_and_the_certificate_survive_a_restart()
    {
        await using var stand = new StandProcess();
        await stand.StartAsync();
        var pub = await Mosquitto.PubAsync(stand.MqttPort, [.. Admin, "-q", "1", "-r", "-t", "lab/retained", "-m", "kept"]);
        Assert.Equal(0, pub.ExitCode);
        var fingerprint = await File.ReadAllTextAsync(stand.CertificatePem);

        await stand.StopAsync();
        await stand.StartAsync();

        var sub = await Mosquitto.SubAsync(stand.MqttPort, [.. Admin, "-t", "lab/retained", "-C", "1", "-W", "10"]);
        Assert.True(sub.ExitCode == 0, sub.ToString());
        Assert.Equal("kept", sub.Stdout.Trim());
        Assert.Equal(fingerprint, await File.ReadAllTextAsync(stand.CertificatePem));
        Assert.Contains("SHA-256 fingerprint", stand.Log);
    }

    [Fact]
    public async Task A_pem_certificate_and_key_from_the_settings_serve_https_and_mqtts()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-pem-").FullName;
        var cert = Path.Combine(directory, "lab.crt");
        var key = Path.Combine(directory, "lab.key");
        var openssl = await ProcessRunner.RunAsync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]);
        Assert.True(openssl.ExitCode == 0, openssl.ToString());
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Tls:CertificatePemPath"] = cert,
            ["Tls:KeyPemPath"] = key,
        }, directory);
        await stand.StartCheckingAsync(cert);
        var curl = await ProcessRunner.RunAsync("curl", ["-sS", "--fail", "--cacert", cert, $"https://localhost:{stand.HttpsPort}/healthz"]);
        Assert.True(curl.ExitCode == 0, curl.ToString());
        var pub = await Mosquitto.PubAsync(stand.MqttTlsPort, [.. Admin, "--cafile", cert, "-t", "lab/pem", "-m", "1"]);
        Assert.True(pub.ExitCode == 0, pub.ToString());
        Assert.False(File.Exists(stand.CertificatePem), "no self-signed certificate is generated when one is configured");
    }

    [Fact]
    public async Task An_mqttnet_client_talks_over_wss_verifying_the_certificate()
    {
        await using var stand = new StandProcess();
        await stand.StartAsync();
        var trusted = X509CertificateLoader.LoadCertificateFromFile(stand.CertificatePem);
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        var received = new TaskCompletionSource<string>();
        client.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage.ConvertPayloadToString());
            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithWebSocketServer(o => o.WithUri($"wss://localhost:{stand.HttpsPort}/mqtt"))
            .WithTlsOptions(o => o.WithCertificateValidationHandler(e => ChainsTo(trusted, e.Certificate)))
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCredentials("admin", StandProcess.AdminPassword)
            .Build();
        await client.ConnectAsync(options);
        await client.SubscribeAsync("lab/wss");
        await client.PublishStringAsync("lab/wss", "over websockets", MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("over websockets", await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        await client.DisconnectAsync();
    }

    /// <summary>Verifies the server's certificate against this one trusted root, as `--cafile` does.</summary>
    private static bool ChainsTo(X509Certificate2 root, X509Certificate presented)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(X509CertificateLoader.LoadCertificate(presented.GetRawCertData()));
    }

    [Fact]
    public async Task Anonymous_read_only_clients_read_but_cannot_publish()
    {
        await using var stand = new StandProcess(new Dictionary<string, string> { ["Broker:Anonymous"] = "ReadOnly" });
        await stand.StartAsync();
        await using var sub = await MosquittoSubscriber.StartAsync(stand.MqttPort, [], ["lab/#"]);
        await Mosquitto.PubAsync(stand.MqttPort, ["-q", "1", "-t", "lab/from-anonymous", "-m", "x"]);
        await Mosquitto.PubAsync(stand.MqttPort, [.. Admin, "-q", "1", "-t", "lab/from-admin", "-m", "y"]);
        Assert.Equal("lab/from-admin y", await sub.NextAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task Anonymous_sensor_boxes_are_admitted_only_from_their_network()
    {
        await using var stand = new StandProcess(new Dictionary<string, string>
        {
            ["Broker:Anonymous"] = "Sensor",
            ["Broker:AnonymousNetworks:0"] = "10.20.0.0/16",
        });
        await stand.StartAsync();
        var pub = await Mosquitto.PubAsync(stand.MqttPort, ["-t", "ESP01/sensors/BME/temp", "-m", "21"]);
        Assert.Equal(5, pub.ExitCode); // 127.0.0.1 is not in 10.20.0.0/16
    }
}
