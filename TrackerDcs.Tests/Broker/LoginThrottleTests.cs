using System.Net;
using System.Net.Sockets;
using System.Text;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Broker;

/// <summary>
/// A flood of bad logins does not keep the real users out (issue 15, finding 7). Each test floods its own stand
/// (a shared one would slow the other tests down) from other loopback addresses, 127.0.0.0/8 standing for other
/// hosts, while the real user logs in from 127.0.0.1.
/// </summary>
public sealed class LoginThrottleTests : IAsyncLifetime
{
    private const string OperatorPassword = "operator-password";
    /// <summary>How long a client waits for its CONNACK: 60 ms is usual, the flood made it 5–17 s before.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private readonly StandProcess _stand = new();

    public async Task InitializeAsync()
    {
        await _stand.StartAsync();
        await _stand.AddUserAsync("olivia", "operator", OperatorPassword);
    }

    public async Task DisposeAsync() => await _stand.DisposeAsync();

    [Fact]
    public async Task Bad_http_basic_logins_for_the_admin_from_one_host_do_not_lock_the_admin_out_of_mqtt_from_another()
    {
        using var stop = new CancellationTokenSource();
        var flood = Task.Run(() => BadBasicLoginsAsync(IPAddress.Parse("127.0.0.2"), "admin", maxRequests: 500, stop.Token));
        try
        {
            await Eventually.True(() => _stand.Log.Contains("Repeated failed logins for user 'admin'"), "the bad Basic logins to lock the admin's name", 60);
            // The attacker keeps going while the admin, elsewhere, logs in three times.
            for (var i = 0; i < 3; i++)
            {
                var result = await Mosquitto.PubAsync(_stand.MqttPort, [.. Mosquitto.Auth("admin", StandProcess.AdminPassword), "-t", "lab/throttle/admin", "-m", $"{i}"]);
                Assert.True(result.ExitCode == 0, $"login {i + 1} of the admin from 127.0.0.1 refused: {result}");
            }
            Assert.False(flood.IsCompleted, "the flood ended before the admin's logins");
        }
        finally
        {
            await stop.CancelAsync();
            await flood;
        }
    }

    [Fact]
    public async Task A_real_user_gets_in_while_100_connections_try_a_new_unknown_name_at_each_login()
    {
        using var stop = new CancellationTokenSource();
        var flooders = Enumerable.Range(10, 100).Select(i => Task.Run(() => UnknownNameLoginsAsync(IPAddress.Parse($"127.0.0.{i}"), stop.Token))).ToList();
        try
        {
            // The flood is under way once the budget of unknown names is spent (or, before it, once it has tried many).
            await Eventually.True(() => Volatile.Read(ref _floodAttempts) >= 200, "200 logins of the flood", 60);
            // Three logins that each need a hash (a fresh account each, never verified before): the real users are
            // served while the flood goes on.
            for (var i = 0; i < 3; i++)
            {
                var name = $"oscar{i}";
                await _stand.AddUserAsync(name, "operator", OperatorPassword);
                var (client, connack) = await ConnectWithinPatienceAsync(name);
                await using var _ = client;
                Assert.Equal(0, connack);
            }
            Assert.DoesNotContain(flooders, f => f.IsCompleted);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(flooders);
        }
    }

    private async Task<(RawMqttClient, int)> ConnectWithinPatienceAsync(string name)
    {
        try
        {
            return await RawMqttClient.ConnectAsync(_stand.MqttPort, 4, name, OperatorPassword, connAckWait: Patience);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"{name}'s login got no CONNACK within {Patience.TotalSeconds} s during the flood");
        }
    }

    private int _floodAttempts;

    /// <summary>Logs in again and again from one address, with a name nobody has, up to 20 times a second, for at most 90 s.</summary>
    private async Task UnknownNameLoginsAsync(IPAddress from, CancellationToken stop)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        for (var i = 0; !stop.IsCancellationRequested && DateTime.UtcNow < deadline; i++)
        {
            try
            {
                var (client, _) = await RawMqttClient.ConnectAsync(_stand.MqttPort, 4, $"nobody-{Guid.NewGuid():N}", "guess",
                    clientId: $"flood-{from}-{i}", from: from, connAckWait: TimeSpan.FromSeconds(20));
                await client.DisposeAsync();
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or SocketException or IOException)
            {
                // Refused, closed or slow: the flood goes on either way.
            }
            Interlocked.Increment(ref _floodAttempts);
            try
            {
                await Task.Delay(50, stop);
            }
            catch (OperationCanceledException) { }
        }
    }

    /// <summary>Wrong passwords for <paramref name="name"/> over HTTP Basic from one address, about 5 a second.</summary>
    private async Task BadBasicLoginsAsync(IPAddress from, string name, int maxRequests, CancellationToken stop)
    {
        using var handler = new SocketsHttpHandler
        {
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(from, 0));
                await socket.ConnectAsync(IPAddress.Loopback, context.DnsEndPoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = new HttpClient(handler);
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{name}:wrong-password"));
        for (var i = 0; i < maxRequests && !stop.IsCancellationRequested; i++)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"https://localhost:{_stand.HttpsPort}/api/audit?limit=1");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", credentials);
            using var response = await client.SendAsync(request, CancellationToken.None);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            try
            {
                await Task.Delay(200, stop);
            }
            catch (OperationCanceledException) { }
        }
    }
}
