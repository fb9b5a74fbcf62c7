using System.Text.RegularExpressions;
using TrackerDcs.Tests.Support;

namespace TrackerDcs.Tests.Broker;

/// <summary>
/// A stand with few connection slots for the connection-limit tests (idle sockets, WebSocket), so filling them is
/// cheap. MQTTnet's own time-out (CommunicationTimeout) is set far beyond the tests' waits: what closes a
/// connection within them is the guard.
/// </summary>
public sealed partial class BrokerLimitsFixture : IAsyncLifetime
{
    public const int MaxConnections = 20;
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(20);
    public const string OperatorPassword = "operator-password";

    public StandProcess Stand { get; } = new(new Dictionary<string, string>
    {
        ["Broker:MaxConnections"] = MaxConnections.ToString(),
        ["Broker:ConnectTimeout"] = ConnectTimeout.ToString(),
        ["Broker:CommunicationTimeout"] = "00:02:00",
    });

    public async Task InitializeAsync()
    {
        await Stand.StartAsync();
        await Stand.AddUserAsync("olivia", "operator", OperatorPassword);
    }

    public async Task DisposeAsync() => await Stand.DisposeAsync();

    /// <summary>The broker's connection count, from /readyz (whose report names it whether the stand is ready or not).</summary>
    public async Task<int> ConnectionsAsync()
    {
        var match = Count().Match((await Stand.ReadinessAsync()).Body);
        return match.Success ? int.Parse(match.Groups[1].Value) : throw new InvalidOperationException("/readyz names no connection count");
    }

    [GeneratedRegex(@"(\d+) (?:MQTT|TCP/TLS) connections")]
    private static partial Regex Count();
}

[CollectionDefinition("BrokerLimits")]
public sealed class BrokerLimitsCollection : ICollectionFixture<BrokerLimitsFixture>;
