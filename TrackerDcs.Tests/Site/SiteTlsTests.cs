using TrackerDcs.Tests.Support;
using Xunit.Abstractions;

namespace TrackerDcs.Tests.Site;

/// <summary>
/// The uplink over TLS (Site:Tls, Site:CaFile) to a RabbitMQ node whose MQTT listener speaks TLS with a certificate made
/// by openssl here: with the CA that signed it the stand's status reaches the site; with another CA the uplink never
/// connects, says why, and the stand raises site.unreachable. Its own one-node cluster (the shared one has no TLS), in
/// the site collection so that it does not run beside the other cluster's tests.
/// </summary>
[Collection("Site cluster")]
public sealed class SiteTlsTests(ITestOutputHelper output)
{
    private const string Stand = "tls1";
    private const string User = "stand-tls1";
    private const string Password = "stand-tls1-password";

    [Fact]
    public async Task The_uplink_reaches_a_tls_node_with_the_ca_that_signed_it_and_refuses_a_node_it_cannot_trust()
    {
        var directory = Directory.CreateTempSubdirectory("trackerdcs-site-tls-").FullName;
        try
        {
            var ca = await MakeCaAsync(directory, "ca");
            var otherCa = await MakeCaAsync(directory, "other-ca");
            var (certificate, key) = await MakeNodeCertificateAsync(directory, ca);
            await using var cluster = await RabbitMqCluster.StartAsync(1, new RabbitMqCluster.Tls(ca.Pem, certificate, key));
            var node = cluster.Nodes[0];
            output.WriteLine($"one TLS node started in {cluster.StartTime.TotalSeconds:0.0} s");
            await cluster.AddUserAsync(User, Password, write: $@"^site\.{Stand}\.(?![^.]+\.cmd(\.|$))", read: $@"^site\.{Stand}\.[^.]+\.cmd\.");
            await cluster.AddUserAsync("site", "site-password", write: @"^site\.[^.]+\.[^.]+\.cmd\.", read: @"^site\.");
            await using var atSite = await MosquittoSubscriber.StartOnLiveMarkerAsync(node.MqttPort, Mosquitto.Auth("site", "site-password"), [$"site/{Stand}/dcs/heartbeat"],
                node.MqttPort, Mosquitto.Auth(User, Password), $"site/{Stand}/test/marker", "-q", "1");

            Dictionary<string, string> Settings(string caFile) => new()
            {
                // The host name is the one in the node's certificate.
                ["Site:Brokers:0"] = $"localhost:{node.MqttTlsPort}",
                ["Site:Tls"] = "true",
                ["Site:CaFile"] = caFile,
                ["Site:Stand"] = Stand,
                ["Site:User"] = User,
                ["Site:Password"] = Password,
                ["Site:AlarmAfter"] = "00:00:02",
            };

            // Another CA: the node's certificate is not trusted, the uplink never connects and says why.
            await using (var distrusting = new StandProcess(Settings(otherCa.Pem)))
            {
                await distrusting.StartAsync();
                await using var alarms = await MosquittoSubscriber.StartAsync(distrusting.MqttPort, Mosquitto.Auth("admin", StandProcess.AdminPassword), ["alarms/active"]);
                await alarms.WaitOnAsync("alarms/active", a => a.Contains("site.unreachable"), TimeSpan.FromSeconds(60), "site.unreachable");
                var log = distrusting.Log;
                output.WriteLine(string.Join('\n', log.Split('\n').Where(l => l.Contains("unreachable", StringComparison.Ordinal)).Take(4)));
                Assert.DoesNotContain("Site uplink: connected to node", log);
                Assert.Contains($"Site uplink: node localhost:{node.MqttTlsPort} unreachable", log);
                Assert.Null(await atSite.NextOnAsync($"site/{Stand}/dcs/heartbeat", TimeSpan.FromSeconds(1)));
            }

            // The CA that signed it: connected over TLS, and the stand's heartbeat is at the site.
            await using var trusting = new StandProcess(Settings(ca.Pem));
            await trusting.StartAsync();
            await Eventually.True(() => trusting.Log.Contains($"Site uplink: connected to node localhost:{node.MqttTlsPort}"), "the uplink connected over TLS", 60);
            var beat = await atSite.WaitOnAsync($"site/{Stand}/dcs/heartbeat", b => b.Contains("\"online\""), TimeSpan.FromSeconds(30), "the heartbeat over TLS");
            output.WriteLine(beat);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private sealed record Authority(string Pem, string Key);

    private static async Task<Authority> MakeCaAsync(string directory, string name)
    {
        var pem = Path.Combine(directory, $"{name}.pem");
        var key = Path.Combine(directory, $"{name}.key");
        await OpensslAsync("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", pem, "-days", "2", "-subj", $"/CN=TrackerDcs test {name}");
        return new Authority(pem, key);
    }

    /// <summary>A node certificate for localhost (and 127.0.0.1), signed by <paramref name="ca"/>.</summary>
    private static async Task<(string Certificate, string Key)> MakeNodeCertificateAsync(string directory, Authority ca)
    {
        var key = Path.Combine(directory, "node.key");
        var request = Path.Combine(directory, "node.csr");
        var certificate = Path.Combine(directory, "node.pem");
        var extensions = Path.Combine(directory, "node.ext");
        await File.WriteAllTextAsync(extensions, "subjectAltName = DNS:localhost, IP:127.0.0.1\nextendedKeyUsage = serverAuth\n");
        await OpensslAsync("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", request, "-subj", "/CN=localhost");
        await OpensslAsync("x509", "-req", "-in", request, "-CA", ca.Pem, "-CAkey", ca.Key, "-CAcreateserial", "-out", certificate, "-days", "2", "-extfile", extensions);
        return (certificate, key);
    }

    private static async Task OpensslAsync(params string[] args)
    {
        var result = await ProcessRunner.RunAsync("openssl", args, timeout: TimeSpan.FromSeconds(60));
        if (result.ExitCode != 0) throw new InvalidOperationException($"openssl {string.Join(' ', args)}: {result}");
    }
}
